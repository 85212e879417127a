from django import forms
from django.utils.translation import gettext_lazy as _

from handbook.meetings.models import Motion

from .models import Recognition


class DueForm(forms.Form):
    window = forms.IntegerField(label=_("Probation ending within (days)"), min_value=0, max_value=366, initial=60)


class RecognitionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Recognition.Outcome.choices)
    motion = forms.ModelChoiceField(
        label=_("The cell's vote"),
        queryset=Motion.objects.none(),
        required=False,
        help_text=_("A closed vote at a meeting of the cell; or enter the counts from the minutes below."),
    )
    votes_for = forms.IntegerField(label=_("Votes in favour"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, required=False)
    eligible = forms.IntegerField(label=_("Official members who could vote"), min_value=1, required=False)
    decision_number = forms.CharField(label=_("Decision number"), max_length=50)
    decision_date = forms.DateField(label=_("Decision date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Reason (for a removal)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, motions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if motions is not None:
            self.fields["motion"].queryset = motions
