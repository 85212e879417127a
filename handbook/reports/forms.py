"""Forms for report pages. They only shape input: the rules (template, periods, who) live in the
services, whose errors are shown next to the matching field."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from handbook.organizations.models import OrganizationType

from .models import ReportDefinition

FIELDS_HELP = _(
    "One field a line: key | label | type | required or optional. Types: text, number, integer, date, yesno. "
    "Example: meetings_held | Meetings held | integer | required"
)


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"})
    input_formats = ["%Y-%m", "%Y-%m-%d"]


class DefinitionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What to report"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=ReportDefinition.Frequency.choices)
    due_days = forms.IntegerField(label=_("Days after the period to submit"), min_value=0, max_value=90, initial=5)
    start_period = MonthField(label=_("First period"))
    target_type = forms.ModelChoiceField(
        label=_("Who submits"),
        queryset=OrganizationType.objects.exclude(code="central"),
        required=False,
        empty_label=_("Every cell below"),
    )
    attachment = forms.ChoiceField(label=_("Attachment"), choices=ReportDefinition.Attachment.choices)
    fields_text = forms.CharField(
        label=_("Fields"), widget=forms.Textarea(attrs={"rows": 6}), required=False, help_text=FIELDS_HELP
    )


class DefinitionEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What to report"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    due_days = forms.IntegerField(label=_("Days after the period to submit"), min_value=0, max_value=90)
    attachment = forms.ChoiceField(label=_("Attachment"), choices=ReportDefinition.Attachment.choices)
    fields_text = forms.CharField(
        label=_("Fields"), widget=forms.Textarea(attrs={"rows": 6}), required=False, help_text=FIELDS_HELP
    )


def submission_form_class(template: list[dict], attachment: str):
    """A form with one input per template field (all optional here: the service decides, so the
    page and the API give the same messages)."""
    attrs: dict = {}
    for spec in template:
        label = spec["label"] + (" *" if spec["required"] else "")
        kind = spec["type"]
        if kind == "text":
            attrs[spec["key"]] = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))
        elif kind in ("number", "integer"):
            mode = "numeric" if kind == "integer" else "decimal"
            attrs[spec["key"]] = forms.CharField(
                label=label, required=False, widget=forms.TextInput(attrs={"inputmode": mode})
            )
        elif kind == "date":
            attrs[spec["key"]] = forms.CharField(
                label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
        else:
            attrs[spec["key"]] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
            )
    if attachment != ReportDefinition.Attachment.NONE:
        required = attachment == ReportDefinition.Attachment.REQUIRED
        attrs["attachment"] = forms.FileField(
            label=_("Report file") + (" *" if required else ""),
            required=False,
            help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, JPEG or PNG; at most 10 MB."),
        )
    return type("SubmissionForm", (forms.Form,), attrs)


def initial_from(template: list[dict], data: dict) -> dict:
    initial = {}
    for spec in template:
        value = data.get(spec["key"])
        if value is None:
            continue
        if spec["type"] == "yesno":
            initial[spec["key"]] = "yes" if value else "no"
        else:
            initial[spec["key"]] = value
    return initial


def month_value(day: datetime.date) -> str:
    return f"{day:%Y-%m}"
