"""Input forms for the discipline pages; the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from handbook.core.errors import RuleViolation
from handbook.rules.registry import MEMBER_DISCIPLINE, ORGANIZATION_DISCIPLINE

from .models import DisciplineCase, Exit


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _optional_date(label):
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def form_errors(form: forms.Form, exc: RuleViolation) -> None:
    """Show a service's refusal next to the field it names (or at the top)."""
    placed = False
    for key, message in (exc.errors or {}).items():
        if key in form.fields:
            form.add_error(key, message)
            placed = True
    if not placed:
        form.add_error(None, str(exc))


def form_choices(forms_allowed: list[str], against_organization: bool) -> list[tuple[str, str]]:
    labels = ORGANIZATION_DISCIPLINE if against_organization else MEMBER_DISCIPLINE
    return [(code, labels.get(code, code)) for code in forms_allowed]


class CaseOpenForm(forms.Form):
    violation = forms.CharField(label=_("Violation"), widget=forms.Textarea(attrs={"rows": 3}))
    opened_on = _optional_date(_("Opened on"))


class DecideForm(forms.Form):
    form = forms.ChoiceField(label=_("Form of discipline"))
    decided_by = forms.CharField(label=_("Decided by (competent committee)"), max_length=200)
    decision_number = forms.CharField(label=_("Decision number"), max_length=60)
    decision_date = _date(_("Decision date"))
    effective_date = _optional_date(_("Effective from (default: the decision date)"))
    motion = forms.ModelChoiceField(label=_("Secret ballot at the cell meeting"), queryset=None, required=False)
    votes_for = forms.IntegerField(label=_("Committee vote: in favour"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Committee vote: against"), min_value=0, required=False)
    voters = forms.IntegerField(label=_("Committee vote: members of the voting body"), min_value=1, required=False)

    def __init__(self, *args, choices, motions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = choices
        self.fields["motion"].queryset = motions


class NotifyForm(forms.Form):
    notified_on = _date(_("Notified on"))


class DropForm(forms.Form):
    note = forms.CharField(label=_("Why is the case closed without discipline?"), required=False, max_length=500)


class AppealForm(forms.Form):
    filed_on = _date(_("Appeal filed on"))


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (DisciplineCase.Appeal.UPHELD, DisciplineCase.Appeal.UPHELD.label),
            (DisciplineCase.Appeal.CHANGED, DisciplineCase.Appeal.CHANGED.label),
            (DisciplineCase.Appeal.ANNULLED, DisciplineCase.Appeal.ANNULLED.label),
        ],
    )
    decided_on = _date(_("Decided on"))
    form = forms.ChoiceField(label=_("New form (if changed)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [("", "—"), *choices]


class ExemptionForm(forms.Form):
    reason = forms.CharField(label=_("Reason (elderly, ill ...)"), max_length=300)
    start = _date(_("Exempt from"))
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    decided_by = forms.CharField(label=_("Decided by"), max_length=200, required=False)


class ExemptionEndForm(forms.Form):
    end = _date(_("Exemption ends on"))


class ExitForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("How the member left"),
        choices=[(k.value, k.label) for k in Exit.Kind if k != Exit.Kind.EXPULSION],
    )
    date = _date(_("Date"))
    decision = forms.CharField(label=_("Decision reference"), max_length=120, required=False)
    note = forms.CharField(label=_("Reason or note"), max_length=300, required=False)
