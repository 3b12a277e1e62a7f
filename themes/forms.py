from __future__ import annotations

from typing import cast

from django import forms

from coding.models import Code
from transcripts.models import Project, Transcript

from .services import DEFAULT_THRESHOLD


class TranscriptChoiceForm(forms.Form):
    transcripts = forms.ModelMultipleChoiceField(
        queryset=Transcript.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one transcript."},
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["transcripts"])
        field.queryset = Transcript.objects.filter(project=project)
        field.initial = list(field.queryset)


class SuggestionRunForm(TranscriptChoiceForm):
    threshold = forms.FloatField(
        min_value=0.0,
        max_value=1.0,
        initial=DEFAULT_THRESHOLD,
        help_text=(
            "Keep suggestions with at least this confidence (0 to 1). At the default, 0.7, "
            "only likely codes are shown and the rest are listed as no confident suggestion."
        ),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )


class QueueFilterForm(forms.Form):
    code = forms.ModelChoiceField(
        queryset=Code.objects.none(), required=False, empty_label="All codes"
    )
    transcript = forms.ModelChoiceField(
        queryset=Transcript.objects.none(), required=False, empty_label="All transcripts"
    )
    min = forms.FloatField(
        label="Minimum confidence",
        min_value=0.0,
        max_value=1.0,
        required=False,
        initial=DEFAULT_THRESHOLD,
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["code"]).queryset = Code.objects.filter(
            project=project
        )
        cast(
            forms.ModelChoiceField, self.fields["transcript"]
        ).queryset = Transcript.objects.filter(project=project)


class BulkAcceptForm(forms.Form):
    code = forms.ModelChoiceField(queryset=Code.objects.none())
    min_confidence = forms.FloatField(min_value=0.0, max_value=1.0)
    transcript = forms.ModelChoiceField(queryset=Transcript.objects.none(), required=False)

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["code"]).queryset = Code.objects.filter(
            project=project
        )
        cast(
            forms.ModelChoiceField, self.fields["transcript"]
        ).queryset = Transcript.objects.filter(project=project)


class AcceptForm(forms.Form):
    quote = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3}))
    start = forms.IntegerField(required=False, min_value=0)
    end = forms.IntegerField(required=False, min_value=0)


class PromoteForm(forms.Form):
    name = forms.CharField(max_length=180, required=False)
    definition = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
