from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EVENT_TYPE_CHOICES


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor (username)"), required=False)
    event_type = forms.TypedChoiceField(
        label=_("Event type"), required=False, coerce=int, choices=[("", _("All"))] + EVENT_TYPE_CHOICES
    )
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
