"""The filter and option form shared by the exports page, the matrix page, the background job
and (through the same field names) the ``export_matrix`` command."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from coding.models import Coding
from coding.selectors.codes import code_path, code_tree_flat
from transcripts.models import (
    Attribute,
    AttributeValue,
    GroupAttribute,
    GroupAttributeValue,
    Project,
)

from .matrix import (
    ROW_ATTRIBUTE,
    ROW_GROUP_ATTRIBUTE,
    ROW_PARTICIPANT,
    ROW_TRANSCRIPT,
    MatrixOptions,
)
from .records import ExportFilters
from .report import Attribution

FILTER_FIELDS = ("code", "transcript", "gattr", "attr", "coder", "set", "starred")
OPTION_FIELDS = (
    "rows",
    "columns",
    "cells",
    "attribution",
    "attribution_extra",
    "report_quotes",
    "report_summaries",
    "report_charts",
    "bom",
)


class ExportForm(forms.Form):
    code = forms.MultipleChoiceField(
        required=False,
        label="Themes and codes",
        help_text="A theme includes its sub-codes. None chosen: all.",
    )
    transcript = forms.MultipleChoiceField(required=False, label="Groups (transcripts)")
    attr = forms.MultipleChoiceField(
        required=False,
        label="Participants with",
        help_text="Values of one attribute are alternatives; different attributes must all match.",
    )
    gattr = forms.MultipleChoiceField(
        required=False,
        label="Groups with",
        help_text="Group attribute values: one attribute's values are alternatives.",
    )
    coder = forms.MultipleChoiceField(required=False, label="Coders")
    set = forms.ChoiceField(
        required=False,
        label="Codings",
        choices=[
            ("", "The agreed set once there is one, else every coder's"),
            ("agreed", "The agreed (adjudicated) set"),
            ("coders", "Every coder's own codings"),
        ],
    )
    starred = forms.BooleanField(required=False, label="Starred quotes only")
    rows = forms.ChoiceField(required=False, label="Rows (cases)")
    columns = forms.ChoiceField(
        required=False,
        label="Columns",
        choices=[("themes", "Themes (with their sub-codes)"), ("codes", "Every code")],
    )
    cells = forms.ChoiceField(
        required=False,
        label="Cells show",
        choices=[("quotes", "Quotes with references"), ("counts", "Counts")],
    )
    attribution = forms.ChoiceField(required=False, label="Attribute report quotes to")
    attribution_extra = forms.MultipleChoiceField(
        required=False,
        label="Then add these participant attributes",
        help_text="Their values follow, in this order: (FG3, P2, female 40-59).",
    )
    report_quotes = forms.ChoiceField(
        required=False,
        label="Report quotes",
        choices=[("starred", "Starred quotes only"), ("all", "Every quote")],
    )
    report_summaries = forms.BooleanField(
        required=False, label="Add the framework matrix's cell summaries to the report"
    )
    report_charts = forms.BooleanField(
        required=False,
        label="Add charts to the report",
        help_text="A bar chart of themes by the number of groups raising them, and a heatmap of "
        "themes by group, each with its table and alt text.",
    )
    bom = forms.BooleanField(
        required=False,
        label="CSV for Excel (UTF-8 with a byte-order mark)",
        help_text="Excel needs it to show accents and emoji right; LibreOffice and scripts do not.",
    )

    def __init__(self, data: Any = None, *, project: Project, viewer: Any = None) -> None:
        super().__init__(data)
        self.project = project
        self.viewer = viewer  # whose eyes: blind coding hides other coders' codings from them
        nodes = code_tree_flat(project=project)
        by_id = {node.code.pk: node.code for node in nodes}
        self.codes = by_id
        self.set_choices(
            "code", [(str(node.code.pk), code_path(code=node.code, by_id=by_id)) for node in nodes]
        )
        self.transcripts = {str(t.pk): t for t in project.transcripts.all()}
        self.set_choices("transcript", [(pk, t.name) for pk, t in self.transcripts.items()])
        self.attributes = {str(a.pk): a for a in Attribute.objects.filter(project=project)}
        self.set_choices(
            "attr",
            value_choices(
                self.attributes,
                AttributeValue.objects.filter(participant__project=project),
            ),
        )
        self.group_attributes = {
            str(a.pk): a for a in GroupAttribute.objects.filter(project=project)
        }
        self.set_choices(
            "gattr",
            value_choices(
                self.group_attributes,
                GroupAttributeValue.objects.filter(transcript__project=project),
            ),
        )
        coder_ids = set(project.memberships.values_list("user_id", flat=True)) | set(
            Coding.objects.filter(transcript__project=project)
            .order_by()
            .values_list("coder_id", flat=True)
            .distinct()
        )
        self.coders = {
            str(user.pk): user
            for user in get_user_model().objects.filter(pk__in=coder_ids).order_by("username")
        }
        self.set_choices("coder", [(pk, u.get_username()) for pk, u in self.coders.items()])
        self.set_choices(
            "rows",
            [
                (ROW_PARTICIPANT, "Participants"),
                (ROW_TRANSCRIPT, "Groups (transcripts)"),
                *(
                    (f"attribute:{pk}", f"{a.name} (attribute)")
                    for pk, a in self.attributes.items()
                ),
                *(
                    (f"{ROW_GROUP_ATTRIBUTE}:{pk}", f"{a.name} (group attribute)")
                    for pk, a in self.group_attributes.items()
                ),
            ],
        )
        self.set_choices("attribution_extra", [(pk, a.name) for pk, a in self.attributes.items()])
        self.set_choices(
            "attribution",
            [
                ("group", "Group, e.g. (FG3)"),
                ("group_participant", "Group and participant, e.g. (FG3, P2)"),
                *((f"attribute:{pk}", f"{a.name}") for pk, a in self.attributes.items()),
                *(
                    (f"group_attribute:{pk}", f"Group and {a.name}")
                    for pk, a in self.attributes.items()
                ),
            ],
        )

    def set_choices(self, name: str, choices: list) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def export_filters(self) -> ExportFilters:
        data = self.cleaned_data

        def chosen(name: str, attributes: dict[str, Any]) -> list[tuple[Any, str]]:
            """``(attribute, value)`` of each ``"<attribute id>:<value>"`` chosen."""
            return [
                (attributes[attribute_id], value)
                for attribute_id, _, value in (item.partition(":") for item in data.get(name, []))
            ]

        return ExportFilters(
            group_values=chosen("gattr", self.group_attributes),
            codes=[self.codes[int(pk)] for pk in data.get("code", [])],
            transcripts=[self.transcripts[pk] for pk in data.get("transcript", [])],
            attribute_values=chosen("attr", self.attributes),
            coders=[self.coders[pk] for pk in data.get("coder", [])],
            starred_only=bool(data.get("starred")),
            viewer=self.viewer,
            coding_set=data.get("set") or "",
        )

    def matrix_options(self) -> MatrixOptions:
        data = self.cleaned_data
        rows = data.get("rows") or ROW_PARTICIPANT
        attribute = None
        group_attribute = None
        if rows.startswith("attribute:"):
            attribute = self.attributes[rows.partition(":")[2]]
            rows = ROW_ATTRIBUTE
        elif rows.startswith(f"{ROW_GROUP_ATTRIBUTE}:"):
            group_attribute = self.group_attributes[rows.partition(":")[2]]
            rows = ROW_GROUP_ATTRIBUTE
        return MatrixOptions(
            rows=rows,
            attribute=attribute,
            group_attribute=group_attribute,
            columns=data.get("columns") or "themes",
            cells=data.get("cells") or "quotes",
        )

    def report_attribution(self) -> Attribution:
        style, _, attribute_id = (self.cleaned_data.get("attribution") or "group").partition(":")
        extra = tuple(self.attributes[pk] for pk in self.cleaned_data.get("attribution_extra", []))
        return Attribution(style=style, attribute=self.attributes.get(attribute_id), extra=extra)

    def report_options(self) -> dict[str, Any]:
        return {
            "attribution": self.report_attribution(),
            "which": self.cleaned_data.get("report_quotes") or "starred",
            "summaries": bool(self.cleaned_data.get("report_summaries")),
            "charts": bool(self.cleaned_data.get("report_charts")),
        }

    def error_text(self) -> str:
        """The errors as one line per field, named, for the command line and job errors."""
        lines = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else "Form"
            lines.append(f"{label} ({name}): {' '.join(str(e) for e in errors)}")
        return "\n".join(lines)


def value_choices(attributes: dict[str, Any], values: Any) -> list[Any]:
    """Choices ``"<attribute id>:<value>"`` of the values in use (``values``: a queryset of
    value rows with ``attribute_id`` and ``value``), grouped under each attribute's name."""
    used: dict[str, set[str]] = {}
    for attribute_id, value in values.values_list("attribute_id", "value").distinct():
        used.setdefault(str(attribute_id), set()).add(value)
    return [
        (a.name, [(f"{pk}:{v}", v) for v in ordered_values(a, used.get(pk, set()))])
        for pk, a in attributes.items()
    ]


def ordered_values(attribute: Attribute | GroupAttribute, present: set[str]) -> list[str]:
    listed = [str(choice) for choice in attribute.choices or [] if str(choice) in present]
    return listed + sorted(present - set(listed))


def query_items(form: ExportForm) -> list[tuple[str, str]]:
    """The applied filters and options as (name, value) pairs, for links and hidden inputs."""
    if not form.is_bound or not form.is_valid():
        return []
    items: list[tuple[str, str]] = []
    for name in (*FILTER_FIELDS, *OPTION_FIELDS):
        value = form.cleaned_data.get(name)
        if isinstance(value, list):
            items.extend((name, v) for v in value)
        elif value is True:
            items.append((name, "on"))
        elif value:
            items.append((name, str(value)))
    return items


def job_params(form: ExportForm) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in query_items(form):
        params.setdefault(name, []).append(value)
    return params
