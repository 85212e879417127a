from django import forms
from django.utils.translation import gettext_lazy as _


class OccasionForm(forms.Form):
    award_date = forms.DateField(
        label=_("Award occasion"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Usually 3/2, 19/5, 2/9 or 7/11."),
    )


class AwardForm(forms.Form):
    years = forms.TypedChoiceField(label=_("Badge (years of party age)"), coerce=int, choices=())
    award_date = forms.DateField(label=_("Award occasion"), widget=forms.DateInput(attrs={"type": "date"}))
    decision_number = forms.CharField(label=_("Decision number"), max_length=50)
    decision_date = forms.DateField(label=_("Decision date"), widget=forms.DateInput(attrs={"type": "date"}))
    early_reason = forms.CharField(
        label=_("Reason for an early award"),
        max_length=300,
        required=False,
        help_text=_("Only for a seriously ill member who reaches the milestone within the months the rules allow."),
    )

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["years"].choices = [(y, str(y)) for y in milestones]
