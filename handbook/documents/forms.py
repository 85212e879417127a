from django import forms
from django.utils.translation import gettext_lazy as _

from handbook.accounts.models import Role
from handbook.organizations.models import Organization
from handbook.organizations.paths import STEPLEN, subtree_q

from .models import DocumentType, StudyMode

#: How deep below the issuer the audience picker lists organisations (a province: its communes
#: and their cells); deeper nodes are reached through their ancestors' subtrees.
PICKER_DEPTH = 2


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    number = forms.CharField(label=_("Number"), max_length=50, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    issued_on = forms.DateField(label=_("Date issued"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), required=False)
    requires_ack = forms.BooleanField(label=_("Members must confirm they have read it"), required=False)
    study_mode = forms.ChoiceField(label=_("Study"), choices=StudyMode.choices, required=False)
    study_deadline = forms.DateField(
        label=_("Study deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AudienceForm(forms.Form):
    organizations = forms.ModelMultipleChoiceField(
        label=_("Send to (each with its whole subtree)"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.MultipleChoiceField(
        label=_("Only these roles (leave empty for every member)"),
        choices=[(r, label) for r, label in Role.choices if r != Role.ADMIN],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, issuer: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        depth = len(issuer.path) + PICKER_DEPTH * STEPLEN
        self.fields["organizations"].queryset = (
            Organization.objects.filter(subtree_q(issuer.path), status=Organization.Status.ACTIVE)
            .extra(where=["length(path) <= %s"], params=[depth])  # noqa: S610 (a bound integer)
            .order_by("path")
        )
        self.fields["organizations"].label_from_instance = lambda o: (
            ("— " * ((len(o.path) - len(issuer.path)) // STEPLEN)) + o.name
        )
        self.initial.setdefault("organizations", [issuer.pk])

    def audience(self) -> list[tuple[Organization, str]]:
        roles = self.cleaned_data.get("roles") or [""]
        return [(org, role) for org in self.cleaned_data["organizations"] for role in roles]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, image or recording, up to 25 MB)"))


class QuizForm(forms.Form):
    text = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "One block per question, separated by an empty line: the question on the first line, then one "
            "answer per line; start the correct answer with *."
        ),
    )
    pass_mark = forms.IntegerField(label=_("Correct answers needed to pass"), min_value=0, initial=1)

    def questions(self) -> list[dict]:
        blocks = [b.strip() for b in self.cleaned_data["text"].replace("\r", "").split("\n\n") if b.strip()]
        out = []
        for block in blocks:
            lines = [line.strip() for line in block.split("\n") if line.strip()]
            options = [line.lstrip("*").strip() for line in lines[1:]]
            correct = next((i for i, line in enumerate(lines[1:]) if line.startswith("*")), None)
            out.append({"text": lines[0], "options": options, "correct": correct})
        return out


def quiz_text(questions) -> str:
    return "\n\n".join(
        "\n".join([q.text, *(("*" if i == q.correct else "") + o for i, o in enumerate(q.options))]) for q in questions
    )


class FeedbackForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("To"), queryset=Organization.objects.none(), empty_label=None)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Your opinion or question"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = committees
