from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import services


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of emails and push messages"), choices=settings.LANGUAGES)
    email_enabled = forms.BooleanField(label=_("Send me notifications by email"), required=False)
    digest_daily = forms.BooleanField(
        label=_("Only one email a day, with everything new"),
        required=False,
        help_text=_("Instead of one email for each notification."),
    )
    push_enabled = forms.BooleanField(label=_("Show notifications on my devices"), required=False)
    muted_kinds = forms.MultipleChoiceField(
        label=_("Only in the app, never by email or on my devices:"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["muted_kinds"].choices = [
            (kind.name, kind.label or kind.name) for kind in sorted(services.kinds().values(), key=lambda k: k.name)
        ]
        if not self.fields["muted_kinds"].choices:
            del self.fields["muted_kinds"]
