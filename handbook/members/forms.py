from django import forms
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from .models import RECORD_TABLES, Member
from .reference import CCCD_PROVINCES
from .services import RECORD_FIELDS


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, phone, card number or citizen ID"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Member.Status.choices)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", _("All"))] + Member.Sex.choices)
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def member_form_class(*, sensitive: bool, creating: bool):
    """The record form: every field of the member sheet; protected fields only for those allowed
    to see them (on creation the citizen ID is always asked: it identifies the person)."""
    names = [n for n in RECORD_FIELDS if sensitive or n not in Member.SENSITIVE_FIELDS or (creating and n == "cccd")]
    if creating:
        names.append("status")
    widgets = {
        name: DateInput()
        for name in (
            "date_of_birth",
            "admission_date",
            "official_date",
            "youth_union_date",
            "military_enlisted",
            "military_discharged",
        )
    }
    widgets["economic_situation"] = forms.Textarea(attrs={"rows": 3})
    form_class = modelform_factory(Member, fields=names, widgets=widgets)
    if "birth_province_code" in names:
        form_class.base_fields["birth_province_code"] = forms.ChoiceField(
            label=Member._meta.get_field("birth_province_code").verbose_name,
            required=False,
            choices=[("", "—")] + sorted(CCCD_PROVINCES.items(), key=lambda kv: kv[1]),
        )
    return form_class


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Member.Status.choices)
    effective_date = forms.DateField(label=_("Effective from"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


def row_form_class(table: str):
    model = RECORD_TABLES[table]
    names = [f.name for f in model._meta.fields if f.name not in ("id", "member")]
    widgets = {f.name: DateInput() for f in model._meta.fields if f.get_internal_type() == "DateField"}
    return modelform_factory(model, fields=names, widgets=widgets)
