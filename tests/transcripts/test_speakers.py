"""Speaker conventions: each turn's span is the spoken words, the label stays in the text."""

from __future__ import annotations

import pytest

from transcripts.importers import parse_file
from transcripts.importers.speakers import (
    detect_turns,
    is_facilitator_label,
    is_generic_label,
    timestamp_ms,
)


def turns_of(text: str) -> list[tuple[str, str, int | None]]:
    turns, _ = detect_turns(text)
    return [(t.speaker, text[t.start : t.end], t.timestamp_start_ms) for t in turns]


@pytest.mark.parametrize(
    ("line", "speaker", "words", "ms"),
    [
        ("Sarah: I agree with that.", "Sarah", "I agree with that.", None),
        ("SARAH: I agree with that.", "SARAH", "I agree with that.", None),
        ("Dr Jane Smith: I agree.", "Dr Jane Smith", "I agree.", None),
        ("[00:01:02] Sarah: I agree.", "Sarah", "I agree.", 62_000),
        ("00:01:02 Sarah: I agree.", "Sarah", "I agree.", 62_000),
        ("[1:02:03.5] Sarah: I agree.", "Sarah", "I agree.", 3_723_500),
        ("Sarah (00:01:02): I agree.", "Sarah", "I agree.", 62_000),
        ("Sarah [00:01:02]: I agree.", "Sarah", "I agree.", 62_000),
        ("Speaker 1: I agree.", "Speaker 1", "I agree.", None),
        ("P3: I agree.", "P3", "I agree.", None),
        ("Facilitator: Shall we begin?", "Facilitator", "Shall we begin?", None),
        ("Moderator: Shall we begin?", "Moderator", "Shall we begin?", None),
        ("Interviewer: Shall we begin?", "Interviewer", "Shall we begin?", None),
        ("**Moderator:** Shall we begin?", "Moderator", "Shall we begin?", None),
        ("Zoë: Ça va, merci.", "Zoë", "Ça va, merci.", None),
    ],
)
def test_each_label_convention_gives_the_speaker_and_only_the_spoken_words(
    line, speaker, words, ms
):
    assert turns_of(line) == [(speaker, words, ms)]


def test_a_turn_continues_over_several_paragraphs_until_the_next_label():
    text = "P1: First paragraph.\n\nSecond paragraph.\nThird line.\n\nP2: Next."
    assert turns_of(text) == [
        ("P1", "First paragraph.\n\nSecond paragraph.\nThird line.", None),
        ("P2", "Next.", None),
    ]


def test_a_label_alone_on_its_line_takes_the_words_that_follow_it():
    text = "Speaker 1  0:01\nWe got a letter.\nIt was clear.\n\nModerator:\nThank you."
    assert turns_of(text) == [
        ("Speaker 1", "We got a letter.\nIt was clear.", 1_000),
        ("Moderator", "Thank you.", None),
    ]


def test_metadata_lines_and_sentences_with_colons_are_not_speakers():
    text = (
        "Date: 4 March 2025\nLocation: Leeds\n\nP1: I said this: no.\n"
        "and then she said: fine.\nThe time was 10:30: late."
    )
    assert turns_of(text) == [
        ("P1", "I said this: no.\nand then she said: fine.\nThe time was 10:30: late.", None)
    ]


def test_case_variants_of_a_label_are_one_speaker():
    assert [t[0] for t in turns_of("MODERATOR: Hi.\n\nP1: Hello.\n\nModerator: Go on.")] == [
        "MODERATOR",
        "P1",
        "MODERATOR",
    ]


def test_a_document_without_labels_becomes_one_unattributed_turn_per_paragraph():
    text = "The first answer.\nStill first.\n\nThe second answer."
    turns, warnings = detect_turns(text)
    assert [(t.speaker, text[t.start : t.end]) for t in turns] == [
        ("", "The first answer.\nStill first."),
        ("", "The second answer."),
    ]
    assert "No speaker labels found" in warnings[0]


def test_offsets_count_code_points_on_nfc_text_with_emoji_and_combining_accents():
    raw = "Moderator: Cafe\u0301 ☕?\r\n\r\nP1: 👍🏽 yes, cafe\u0301."
    document = parse_file("fg.txt", raw.encode())
    assert document.text == "Moderator: Café ☕?\n\nP1: 👍🏽 yes, café."
    spans = [document.text[t.start : t.end] for t in document.turns]
    assert spans == ["Café ☕?", "👍🏽 yes, café."]
    assert document.turns[1].start == len("Moderator: Café ☕?\n\nP1: ")


def test_vtt_voice_tags_name_the_speaker_and_consecutive_captions_join():
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Dr Jane Smith>I think</v>\n\n"
        "00:00:02.000 --> 00:00:03.500\n<v Dr Jane Smith>so too.\n\n"
        "00:00:04.000 --> 00:00:05.000\n<v.loud Moderator>Thanks.\n"
    )
    document = parse_file("fg.vtt", vtt.encode())
    assert [
        (t.speaker, document.text[t.start : t.end], t.timestamp_start_ms, t.timestamp_end_ms)
        for t in document.turns
    ] == [
        ("Dr Jane Smith", "I think so too.", 1_000, 3_500),
        ("Moderator", "Thanks.", 4_000, 5_000),
    ]


def test_timestamps_and_label_kinds():
    assert timestamp_ms("01:02") == 62_000
    assert timestamp_ms("1:00:00,25") == 3_600_250
    assert is_facilitator_label("Moderator 2") and is_facilitator_label("co-facilitator")
    assert not is_facilitator_label("Modesty")
    assert is_generic_label("Speaker 3") and not is_generic_label("P3")
