from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Member


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or citizen ID"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Member.Status.choices)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", _("All"))] + Member.Sex.choices)
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Member.Sex.choices)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    cccd = forms.RegexField(
        label=_("Citizen ID (CCCD)"),
        regex=r"^[0-9]{12}$",
        error_messages={"invalid": _("A citizen ID (CCCD) has exactly 12 digits.")},
    )
    status = forms.ChoiceField(label=_("Status"), choices=Member.Status.choices)
