from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organization, OrganizationType


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class CreateForm(NameForm):
    type = forms.ModelChoiceField(label=_("Type"), queryset=OrganizationType.objects.none())

    def __init__(self, *args, parent: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = OrganizationType.objects.filter(allowed_parents=parent.type)


class TargetForm(forms.Form):
    """Pick another organisation (new parent for a move, target for a merge) from given choices."""

    target = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.none())
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = choices
        if label:
            self.fields["target"].label = label


class SplitForm(forms.Form):
    name = forms.CharField(label=_("Name of the new organisation"), max_length=200)
    children = forms.ModelMultipleChoiceField(
        label=_("Sub-organisations to move"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    members = forms.MultipleChoiceField(
        label=_("Members to move"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, children_qs, member_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = children_qs
        self.fields["members"].choices = member_choices


class HistoryAtForm(forms.Form):
    at = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class GrantForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=())
    sensitive_data = forms.BooleanField(
        label=_("May see sensitive data (religion, ethnicity, citizen ID, family, discipline)"), required=False
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
