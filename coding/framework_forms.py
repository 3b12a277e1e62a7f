"""Forms of the framework page."""

from __future__ import annotations

from typing import cast

from django import forms

from .models import Code
from .selectors.codes import code_path
from .services.codebook_csv import MAX_BYTES


class CodeForm(forms.Form):
    name = forms.CharField(max_length=200)
    key = forms.CharField(
        max_length=100,
        required=False,
        help_text="Identifies the code in CSV files. Left empty, it is made from the name.",
    )
    colour = forms.CharField(max_length=7, widget=forms.TextInput(attrs={"type": "color"}))
    definition = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    inclusion = forms.CharField(
        label="Inclusion criteria", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    exclusion = forms.CharField(
        label="Exclusion criteria", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    example = forms.CharField(
        label="Example quote", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    seen = forms.CharField(required=False, widget=forms.HiddenInput)  # see coding_update's

    @classmethod
    def for_code(cls, code: Code, data=None) -> CodeForm:
        from .services.audit import fingerprint

        initial = {field: getattr(code, field) for field in cls.base_fields if field != "seen"}
        return cls(data, initial={**initial, "seen": fingerprint(code)})


def _code_choices(codes: list[Code], exclude: set[int]) -> list[tuple[str, str]]:
    by_id = {code.pk: code for code in codes}
    choices = [
        (str(code.pk), code_path(code=code, by_id=by_id))
        for code in codes
        if code.pk not in exclude
    ]
    return sorted(choices, key=lambda choice: choice[1].casefold())


class MoveForm(forms.Form):
    parent = forms.ChoiceField(label="New place")

    def __init__(self, *args, codes: list[Code], exclude: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        parent = cast(forms.ChoiceField, self.fields["parent"])
        parent.choices = [("", "Top level (a theme)"), *_code_choices(codes, exclude)]
        parent.required = False


class MergeForm(forms.Form):
    target = forms.ChoiceField(label="Merge into")

    def __init__(self, *args, codes: list[Code], exclude: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        target = cast(forms.ChoiceField, self.fields["target"])
        target.choices = [("", "Choose a code"), *_code_choices(codes, exclude)]


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label="Framework CSV",
        help_text="Columns: code, name, parent, definition, inclusion, exclusion, example, "
        "colour, order; only name is required. Matching codes are updated, new ones added; "
        "nothing is deleted.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // 1_000_000} MB.")
        return upload
