"""Forms generated from the rule registry: one field per declared key, checked by its type."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handbook.core.errors import RuleViolation

from . import registry
from .models import RuleSet

MULTILINE = (registry.LevelBands, registry.MonthsByRange, registry.DateList)


def field_name(key: str) -> str:
    return key.replace(".", "__")


class ValuesForm(forms.Form):
    """Every rule of the registry as a text field, prefilled from `initial_values` (stored JSON)."""

    effective_from = forms.DateField(label=_("In force from"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Note (which decision, why)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, initial_values: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_values = initial_values or {}
        self.groups: list[tuple[str, list[str]]] = []
        by_group: dict[str, list[str]] = {}
        for key, spec in registry.REGISTRY.items():
            name = field_name(key)
            help_parts = [str(p) for p in (spec.help, spec.type.hint) if p]
            widget = forms.Textarea(attrs={"rows": 4}) if isinstance(spec.type, MULTILINE) else forms.TextInput()
            self.fields[name] = forms.CharField(label=spec.label, help_text=" ".join(help_parts), widget=widget)
            if key in initial_values:
                self.fields[name].initial = spec.type.as_text(initial_values[key])
            by_group.setdefault(spec.group, []).append(name)
        self.groups = [(str(registry.GROUPS.get(g, g)), names) for g, names in by_group.items()]
        self.fields["effective_from"].initial = timezone.localdate() + datetime.timedelta(days=1)

    HEADER = ("name", "description", "owner", "effective_from", "note")

    def header_fields(self):
        """The fields about the version itself (shown before the rules)."""
        return [self[name] for name in self.HEADER if name in self.fields]

    def grouped(self):
        """[(group label, [bound fields])] for the template."""
        return [(label, [self[name] for name in names]) for label, names in self.groups]

    def clean(self):
        data = super().clean()
        values = {}
        for key, spec in registry.REGISTRY.items():
            name = field_name(key)
            if name not in data:
                continue
            try:
                values[key] = spec.type.parse(data[name])
            except RuleViolation as exc:
                self.add_error(name, str(exc))
        if not self.errors:
            try:
                values = registry.validate_values(values)
            except RuleViolation as exc:
                for key, message in exc.errors.items():
                    self.add_error(field_name(key) if key in registry.REGISTRY else None, message)
        data["values"] = values
        return data


class RuleSetForm(ValuesForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(
        label=_("Belongs to"),
        queryset=None,
        required=False,
        help_text=_("The organisation whose staff keep this set; it can be used only inside it."),
    )

    field_order = ["name", "description", "owner", "effective_from", "note"]

    def __init__(self, *args, owners, national_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].required = not national_allowed
        self.fields["owner"].empty_label = _("National (administrators)") if national_allowed else None
        self.order_fields(self.field_order)


class AssignForm(forms.Form):
    rule_set = forms.ModelChoiceField(
        label=_("Rule set"),
        queryset=RuleSet.objects.none(),
        required=False,
        empty_label=_("No own set: use the rules from above"),
    )
    effective_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, rule_sets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_set"].queryset = rule_sets
        self.fields["effective_from"].initial = timezone.localdate()


class EffectiveForm(forms.Form):
    on = forms.DateField(label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
