from typing import Any

from django import forms

from .models import Attribute, Participant, Project, Role, Transcript
from .services.uploads import ACTIONS


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class MembershipForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="An existing user's username.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CODER)


# --- transcripts, uploads and participants (issue 3) ------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError("Choose at least one file to upload.")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class UploadForm(forms.Form):
    files = MultipleFileField(  # type: ignore[assignment]
        allow_empty_file=True,  # an empty file fails on its own, named, in the report
        widget=MultipleFileInput(attrs={"multiple": True}),
        help_text="Transcripts (.txt .md .docx .vtt .srt .pdf .rtf .odt), survey answers "
        "(.csv .xlsx), or a .zip of them.",
    )


class TranscriptMetaForm(forms.ModelForm):
    """A group's details, then one typed field per group attribute of the project."""

    class Meta:
        model = Transcript
        fields = ["name", "kind", "site", "date", "facilitator", "description"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .models import GroupAttribute

        self.group_attributes = list(
            GroupAttribute.objects.filter(project_id=self.instance.project_id)
        )
        values = dict(self.instance.group_values.values_list("attribute_id", "value"))
        for attribute in self.group_attributes:
            field = typed_field(attribute)
            field.initial = values.get(attribute.pk, "")
            self.fields[f"group_{attribute.pk}"] = field

    def group_values(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data.get(f"group_{a.pk}") or "" for a in self.group_attributes}


def typed_field(attribute: Any) -> forms.Field:
    """A form field for a value of a typed (participant or group) attribute."""
    if attribute.type == Attribute.Type.CHOICE:
        field: forms.Field = forms.ChoiceField(
            choices=[("", "—"), *[(c, c) for c in attribute.choices]]
        )
    elif attribute.type == Attribute.Type.NUMBER:
        field = forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}))
    elif attribute.type == Attribute.Type.DATE:
        field = forms.CharField(widget=forms.DateInput(attrs={"type": "date"}))
    else:
        field = forms.CharField(max_length=500)
    field.required = False
    field.label = attribute.name
    return field


class ItemReviewForm(forms.Form):
    include = forms.BooleanField(required=False)
    name = forms.CharField(max_length=200, required=False)
    kind = forms.ChoiceField(choices=Transcript.Kind.choices)
    site = forms.CharField(max_length=200, required=False)
    date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    facilitator = forms.CharField(max_length=200, required=False)
    description = forms.CharField(required=False)
    unwrap = forms.BooleanField(required=False, label="Join lines broken mid-sentence")

    def clean(self):
        data = super().clean()
        if data.get("include") and not (data.get("name") or "").strip():
            self.add_error("name", "Give the group a name, e.g. FG3.")
        return data


class SharedDetailsForm(forms.Form):
    """Group details typed once for the whole batch: they fill each file's blank fields."""

    site = forms.CharField(max_length=200, required=False)
    date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    facilitator = forms.CharField(max_length=200, required=False)
    description = forms.CharField(required=False)

    def fill_blanks(self, items: dict[int, dict]) -> None:
        for values in items.values():
            for name, shared in self.cleaned_data.items():
                if shared and not values.get(name):
                    values[name] = shared


class SurveyColumnsForm(forms.Form):
    respondent = forms.ChoiceField(required=False)
    text = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    attributes = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        columns = [(h, h) for h in headers]
        for name, choices in (
            ("respondent", [("", "(none: number the rows)"), *columns]),
            ("text", columns),
            ("attributes", columns),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices


class SpeakerReviewForm(forms.Form):
    label = forms.CharField(max_length=100, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    rename = forms.CharField(max_length=100, required=False)
    participant = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "participant-labels"}),
    )

    def clean(self):
        data = super().clean()
        if not (data.get("rename") or "").strip():
            data["rename"] = data.get("label", "")
        if data.get("action") == "participant" and not (data.get("participant") or "").strip():
            data["participant"] = data["rename"]
        return data


class ParticipantCreateForm(forms.Form):
    label = forms.CharField(max_length=100, help_text="A pseudonymous label, e.g. P7.")


class AttributeCreateForm(forms.Form):
    name = forms.CharField(max_length=100)
    type = forms.ChoiceField(choices=Attribute.Type.choices)
    choices = forms.CharField(
        required=False, help_text="For a choice attribute: the choices, separated by commas."
    )


class GroupAttributeForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="e.g. Recruitment route, Urban/rural.")
    type = forms.ChoiceField(choices=Attribute.Type.choices)
    choices = forms.CharField(
        required=False, help_text="For a choice attribute: the choices, separated by commas."
    )


class AttributeImportForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True, help_text="A .csv or .xlsx file: a label column, one column each."
    )


class ParticipantForm(forms.Form):
    """Label, notes and one typed field per project attribute."""

    label = forms.CharField(max_length=100)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, participant: Participant, attributes: list[Attribute], **kwargs):
        values = {v.attribute_id: v.value for v in participant.attribute_values.all()}
        kwargs["initial"] = {"label": participant.label, "notes": participant.notes}
        super().__init__(*args, **kwargs)
        self.attributes = attributes
        for attribute in attributes:
            name = f"attr_{attribute.pk}"
            field = typed_field(attribute)
            field.initial = values.get(attribute.pk, "")
            self.fields[name] = field

    def attribute_values(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data.get(f"attr_{a.pk}") or "" for a in self.attributes}
