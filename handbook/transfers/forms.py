from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handbook.organizations.models import Organization

from .models import Transfer


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


def receiving_cells():
    """Any active cell in the country: a letter may go to another province."""
    return Organization.objects.filter(status=Organization.Status.ACTIVE, type__holds_members=True)


class IssueForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Transfer.Kind.choices, widget=forms.RadioSelect)
    to_organization = forms.ModelChoiceField(
        label=_("Receiving cell"), queryset=receiving_cells(), widget=forms.HiddenInput
    )
    letter_number = forms.CharField(label=_("Letter number"), max_length=40)
    issued_on = _date(_("Issued on"))
    start = _date(_("From (temporary transfers)"), required=False)
    end = _date(_("Until (temporary transfers)"), required=False)
    dues_paid_until = _date(_("Dues paid until"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = receiving_cells()
        self.fields["issued_on"].initial = timezone.localdate()


class PresentForm(forms.Form):
    presented_on = _date(_("Presented on"))


class AcceptForm(forms.Form):
    accepted_on = _date(_("Accepted on"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class EndForm(forms.Form):
    ended_on = _date(_("Came back on"))


class EmptyForm(forms.Form):
    pass


ACTION_FORMS = {
    "present": PresentForm,
    "accept": AcceptForm,
    "return": ReasonForm,
    "cancel": CancelForm,
    "expire": EmptyForm,
    "end": EndForm,
}
