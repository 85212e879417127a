from django import forms
from django.utils.translation import gettext_lazy as _

from .levels import LEVEL_CODES, level_label
from .models import ReviewPeriod


def _level_choices():
    return [("", _("— from the score —")), *((c, level_label(c)) for c in LEVEL_CODES)]


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewPeriod.Kind.choices)
    subject = forms.ChoiceField(label=_("Who is reviewed"), choices=ReviewPeriod.Subject.choices)
    year = forms.IntegerField(label=_("Year"), min_value=1930, max_value=2200)
    quarter = forms.IntegerField(label=_("Quarter"), min_value=1, max_value=4, required=False)
    starts_on = forms.DateField(label=_("From"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("To"), required=False, widget=DateInput)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)


class SelfForm(forms.Form):
    text = forms.CharField(label=_("Self-assessment"), widget=forms.Textarea(attrs={"rows": 6}))
    score = forms.IntegerField(label=_("Self score"), min_value=0, required=False)


class ProposeForm(forms.Form):
    score = forms.IntegerField(label=_("Score"), min_value=0)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=_level_choices)
    reason = forms.CharField(
        label=_("Reason (needed when the level is not the score's)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    score = forms.IntegerField(label=_("Final score (empty: the proposal's)"), min_value=0, required=False)
    level = forms.ChoiceField(label=_("Final level"), required=False, choices=_level_choices)
    reason = forms.CharField(
        label=_("Reason (needed when the level is not the score's)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=50)
    decision_date = forms.DateField(label=_("Decision date"), widget=DateInput)
