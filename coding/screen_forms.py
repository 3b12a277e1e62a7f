"""Forms of the coding screen, retrieval and search. Each is bound to the project's codes."""

from __future__ import annotations

from typing import Any

from django import forms

from transcripts.models import Project, Turn

from .models import Code


class _ProjectCodesForm(forms.Form):
    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        codes = Code.objects.filter(project=project)
        for name in ("code", "codes"):
            if name in self.fields:
                self.fields[name].queryset = codes  # type: ignore[attr-defined]


class CodingApplyForm(_ProjectCodesForm):
    codes = forms.ModelMultipleChoiceField(
        queryset=Code.objects.none(),
        error_messages={"required": "Pick one or more codes to apply."},
    )
    start = forms.IntegerField(min_value=0, error_messages={"required": "Select some text first."})
    end = forms.IntegerField(min_value=0, error_messages={"required": "Select some text first."})
    memo = forms.CharField(required=False, max_length=5000)


class TurnApplyForm(_ProjectCodesForm):
    codes = forms.ModelMultipleChoiceField(
        queryset=Code.objects.none(),
        error_messages={"required": "Pick one or more codes to apply to the turn."},
    )
    memo = forms.CharField(required=False, max_length=5000)


class CodingUpdateForm(_ProjectCodesForm):
    """Any one change at a time: another code, a memo, a new span, or a one-word nudge."""

    NUDGES = [
        ("start-", "Extend the start by a word"),
        ("start+", "Shrink the start by a word"),
        ("end-", "Shrink the end by a word"),
        ("end+", "Extend the end by a word"),
    ]
    code = forms.ModelChoiceField(queryset=Code.objects.none(), required=False)
    memo = forms.CharField(required=False, max_length=5000)
    start = forms.IntegerField(min_value=0, required=False)
    end = forms.IntegerField(min_value=0, required=False)
    nudge = forms.ChoiceField(choices=NUDGES, required=False)
    seen = forms.CharField(required=False, max_length=64)  # the fingerprint the panel showed

    def clean(self):
        data = super().clean()
        if (data.get("start") is None) != (data.get("end") is None):
            raise forms.ValidationError("A new span needs both a start and an end.")
        return data


class CodeHitForm(_ProjectCodesForm):
    """``hit`` is ``<scope>:<transcript id>:<start>:<end>`` from the button pressed."""

    code = forms.ModelChoiceField(
        queryset=Code.objects.none(), error_messages={"required": "Pick a code."}
    )
    hit = forms.RegexField(
        regex=r"^(sentence|turn|match):\d+:\d+:\d+$",
        error_messages={"invalid": "The hit to code was not understood."},
    )

    def clean_hit(self) -> tuple[str, int, int, int]:
        scope, transcript, start, end = self.cleaned_data["hit"].split(":")
        return scope, int(transcript), int(start), int(end)


class CodeAllHitsForm(_ProjectCodesForm):
    """Code every hit of a search: the query and filters again, the code, the unit."""

    q = forms.CharField(max_length=500)
    code = forms.ModelChoiceField(
        queryset=Code.objects.none(), error_messages={"required": "Pick a code."}
    )
    scope = forms.ChoiceField(
        choices=[("sentence", "sentence"), ("turn", "turn"), ("match", "match")]
    )
    transcript = forms.MultipleChoiceField(required=False)
    speaker = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["transcript"].choices = [  # type: ignore[attr-defined]
            (str(pk), str(pk)) for pk in self.project.transcripts.values_list("pk", flat=True)
        ]
        self.fields["speaker"].choices = [  # type: ignore[attr-defined]
            (label, label)
            for label in Turn.objects.filter(transcript__project=self.project)
            .values_list("speaker_label", flat=True)
            .distinct()
        ]
