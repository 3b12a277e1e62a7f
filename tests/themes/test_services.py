from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coding.models import AuditEvent, Coding
from coding.services.codings import coding_apply
from jobs.models import Job
from jobs.services import job_cancel
from tests.themes.conftest import TURNS, make_framework, make_transcript
from themes import services
from themes.models import CandidateTheme, Rejection, Suggestion


def run(project, user, transcripts, threshold=0.0):
    job = services.suggestion_run_start(
        project=project, user=user, transcripts=transcripts, threshold=threshold
    )
    job.refresh_from_db()
    return job


def test_run_suggests_the_code_whose_words_each_turn_uses(project, user, framework, transcript):
    job = run(project, user, [transcript])
    assert job.status == Job.Status.DONE, job.error
    assert job.progress == 1
    best = {}
    for s in Suggestion.objects.filter(transcript=transcript):
        if s.confidence > best.get(s.start, (0, None))[0]:
            best[s.start] = (s.confidence, s.code.name)
    by_text = {transcript.text[start:].split("\n")[0]: name for start, (_, name) in best.items()}
    assert by_text["Staff training matters because human error leaks data."] == "Data security"
    assert by_text["Can I opt out online, or do I need a form from the surgery?"] == "Opting out"
    assert "What worries you about your records?" not in by_text  # the moderator's turn
    s = Suggestion.objects.filter(transcript=transcript).first()
    assert s.text == transcript.text[s.start : s.end]
    assert s.explanation["words"]


def test_run_skips_coded_turns_and_learns_from_their_codings(project, user, framework, transcript):
    turn = transcript.turns.get(order=1)
    coding_apply(
        transcript=transcript, start=turn.start, end=turn.end, code=framework[0], coder=user
    )
    run(project, user, [transcript])
    assert not Suggestion.objects.filter(start=turn.start).exists()
    why = Suggestion.objects.filter(code=framework[0]).order_by("-confidence").first().explanation
    assert why["nearest_quote"] == transcript.text[turn.start : turn.end]


def test_threshold_keeps_only_confident_suggestions(project, user, framework, transcript):
    run(project, user, [transcript], threshold=0.6)
    confidences = list(Suggestion.objects.values_list("confidence", flat=True))
    assert confidences and min(confidences) >= 0.6


def test_rejected_span_and_code_is_not_suggested_again(project, user, framework, transcript):
    run(project, user, [transcript])
    top = Suggestion.objects.order_by("-confidence").first()
    services.suggestion_reject(suggestion=top, user=user)
    run(project, user, [transcript])
    again = Suggestion.objects.filter(
        transcript=transcript, code=top.code, start=top.start, end=top.end
    )
    assert list(again.values_list("status", flat=True)) == ["rejected"]
    assert Rejection.objects.filter(code=top.code, start=top.start, text=top.text).exists()


def test_rerun_replaces_pending_suggestions_but_keeps_decided_ones(
    project, user, framework, transcript
):
    other = make_transcript(project, name="FG2")
    run(project, user, [transcript, other])
    accepted, rejected, pending = Suggestion.objects.filter(transcript=transcript)[:3]
    services.suggestion_accept(suggestion=accepted, user=user)
    services.suggestion_reject(suggestion=rejected, user=user)
    other_pending = set(Suggestion.objects.filter(transcript=other).values_list("pk", flat=True))

    job = run(project, user, [transcript])

    assert Suggestion.objects.get(pk=accepted.pk).status == "accepted"
    assert Suggestion.objects.get(pk=rejected.pk).status == "rejected"
    assert not Suggestion.objects.filter(pk=pending.pk).exists()  # replaced by the new run
    assert set(Suggestion.objects.filter(transcript=other).values_list("pk", flat=True)) == (
        other_pending
    )
    assert job.result["replaced"] >= 1
    fresh = Suggestion.objects.filter(transcript=transcript, status="pending")
    assert fresh.exists() and all(s.run.job_id == job.pk for s in fresh)


def test_accept_creates_a_coding_marked_as_accepted_suggestion_in_the_audit(
    project, user, framework, transcript
):
    run(project, user, [transcript])
    suggestion = Suggestion.objects.first()
    coding = services.suggestion_accept(suggestion=suggestion, user=user)
    assert coding.origin == Coding.Origin.SUGGESTION
    assert (coding.start, coding.end, coding.code) == (
        suggestion.start,
        suggestion.end,
        suggestion.code,
    )
    event = AuditEvent.objects.get(object_type="coding", object_id=coding.pk)
    assert event.action == "accept_suggestion" and event.user == user
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.coding, suggestion.decided_by) == (
        "accepted",
        coding,
        user,
    )
    with pytest.raises(ValidationError, match="already Accepted"):
        services.suggestion_accept(suggestion=suggestion, user=user)


def test_accept_with_an_adjusted_quote_codes_only_that_part(project, user, framework, transcript):
    run(project, user, [transcript])
    suggestion = Suggestion.objects.filter(text__startswith="A letter from my GP").first()
    coding = services.suggestion_accept(
        suggestion=suggestion, user=user, quote="a phone call out of the blue"
    )
    assert coding.text == "a phone call out of the blue"
    assert transcript.text[coding.start : coding.end] == coding.text


def test_accept_rejects_an_adjusted_quote_that_is_not_in_the_transcript(
    project, user, framework, transcript
):
    run(project, user, [transcript])
    suggestion = Suggestion.objects.first()
    with pytest.raises(ValidationError, match="copied from the transcript"):
        services.suggestion_accept(suggestion=suggestion, user=user, quote="words never said")
    suggestion.refresh_from_db()
    assert suggestion.status == "pending" and not Coding.objects.exists()


def test_bulk_accept_takes_one_codes_suggestions_above_the_confidence(
    project, user, framework, transcript
):
    run(project, user, [transcript])
    code = framework[1]
    expected = Suggestion.objects.filter(code=code, confidence__gte=0.4).count()
    assert expected
    accepted = services.suggestions_accept_bulk(
        project=project, code=code, min_confidence=0.4, user=user
    )
    assert len(accepted) == expected
    assert Coding.objects.filter(code=code, origin="suggestion").count() == expected
    assert Suggestion.objects.filter(code=code, confidence__lt=0.4, status="accepted").count() == 0
    assert not Coding.objects.exclude(code=code).exists()


def test_run_without_a_framework_fails_with_a_readable_message(project, user, transcript):
    job = run(project, user, [transcript])
    assert job.status == Job.Status.FAILED
    assert "framework has no codes" in job.error


def test_cancelled_run_saves_nothing_and_keeps_previous_suggestions(
    project, user, framework, transcript, monkeypatch
):
    run(project, user, [transcript])
    before = set(Suggestion.objects.values_list("pk", flat=True))
    real = services.units_uncoded

    def cancel_midway(**kwargs):
        job_cancel(job=Job.objects.filter(kind="themes.suggest").first())
        return real(**kwargs)

    monkeypatch.setattr(services, "units_uncoded", cancel_midway)
    job = run(project, user, [transcript])
    assert job.status == Job.Status.CANCELLED
    assert set(Suggestion.objects.values_list("pk", flat=True)) == before


def test_long_turns_are_split_into_windows_of_sentences(project, user, framework):
    sentence = "I worry about hackers getting into the hospital records system. "
    transcript = make_transcript(project, turns=[("P1", sentence * 30)], name="Long")
    units = services.units_uncoded(transcripts=[transcript])
    assert len(units) > 1
    assert all(u.end - u.start <= services.WINDOW_CHARS for u in units)
    assert all(transcript.text[u.start : u.end] == u.text for u in units)
    assert all(u.text.endswith(".") for u in units)


def test_clustering_finds_candidates_and_promotion_makes_a_code_with_suggestions(project, user):
    make_framework(project)
    turns = [
        ("P1", f"Parking at the clinic costs too much money, parking fees {w}") for w in "abcdef"
    ]
    turns += [("P2", f"The hospital food was cold and the meals bland {w}") for w in "abcdef"]
    transcript = make_transcript(project, turns=turns)
    job = services.candidate_run_start(project=project, user=user, transcripts=[transcript])
    job.refresh_from_db()
    assert job.status == "done", job.error
    candidates = list(CandidateTheme.objects.all())
    assert len(candidates) == 2 and sorted(c.size for c in candidates) == [6, 6]
    parking = next(c for c in candidates if "park" in c.label)
    code = services.candidate_promote(candidate=parking, user=user, name="Parking")
    assert code.name == "Parking"
    assert AuditEvent.objects.filter(object_type="code", object_id=code.pk, action="create")
    promoted = Suggestion.objects.filter(code=code, status="pending")
    assert promoted.count() == 6
    assert all("Parking" in s.text for s in promoted)
    other = next(c for c in candidates if c.pk != parking.pk)
    services.candidate_dismiss(candidate=other, user=user)
    # A new clustering run replaces open candidates only.
    services.candidate_run_start(project=project, user=user, transcripts=[transcript])
    assert set(CandidateTheme.objects.values_list("status", flat=True)) >= {"promoted", "dismissed"}


def test_clustering_with_too_little_material_fails_readably(project, user, framework):
    transcript = make_transcript(project, turns=TURNS[:4])
    job = services.candidate_run_start(project=project, user=user, transcripts=[transcript])
    job.refresh_from_db()
    assert job.status == "failed"
    assert "too little" in job.error


def test_undoing_a_bulk_accept_removes_its_codings_and_makes_the_suggestions_pending(
    project, user, coder, framework, transcript
):
    from coding.models import AuditEvent

    run(project, user, [transcript], threshold=0.0)
    code = framework[1]
    before = set(Coding.objects.values_list("pk", flat=True))
    accepted = services.suggestions_accept_bulk(
        project=project, code=code, min_confidence=0.0, user=user
    )
    assert accepted and Coding.objects.count() == len(before) + len(accepted)
    # Someone else's undo changes nothing; the user's own undoes exactly the bulk accept.
    assert services.suggestions_accept_undo(project=project, user=coder, ids=accepted) == 0
    assert services.suggestions_accept_undo(project=project, user=user, ids=accepted) == len(
        accepted
    )
    assert set(Coding.objects.values_list("pk", flat=True)) == before
    assert set(Suggestion.objects.filter(pk__in=accepted).values_list("status", flat=True)) == {
        "pending"
    }
    assert AuditEvent.objects.filter(action="delete", object_type="coding").count() == len(accepted)
