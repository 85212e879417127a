"""Forms of the admission pages; the API validates a step's values with the same forms."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handbook.members.models import Member

from .models import Candidate, Step

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=DATE)


class CandidateForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    date_of_birth = _date(_("Date of birth"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Member.Sex.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Candidate.Category.choices)
    cccd = forms.CharField(label=_("Citizen ID (CCCD)"), max_length=12, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class StepForm(forms.Form):
    """The fields every step has: its date, the document's reference, a note."""

    date = _date(_("Date"))
    document = forms.CharField(label=_("Document (number, title)"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    file = forms.FileField(label=_("Scan of the document (PDF or image, optional)"), required=False)

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["date"].initial = timezone.localdate()


class CourseForm(StepForm):
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=50)
    certificate_issued = _date(_("Certificate issued on"), required=False)


class ApplicationForm(StepForm):
    over_age_approved = forms.BooleanField(label=_("Approved by a higher level (over the age limit)"), required=False)


class LifeHistoryForm(StepForm):
    verified = forms.BooleanField(label=_("Certified by the local authority"), required=False)
    birth_place = forms.CharField(label=_("Place of birth"), max_length=200, required=False)
    hometown = forms.CharField(label=_("Hometown"), max_length=200, required=False)
    residence = forms.CharField(label=_("Residence"), max_length=300, required=False)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=50, required=False)
    religion = forms.CharField(label=_("Religion"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=15, required=False)
    general_education = forms.CharField(label=_("General education (e.g. 12/12)"), max_length=10, required=False)
    professional_qualification = forms.CharField(label=_("Professional qualification"), max_length=100, required=False)


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class IntroducersForm(StepForm):
    introducer_1 = _MemberChoice(label=_("First introducer"), queryset=Member.objects.none())
    introducer_1_since = _date(_("Worked with the applicant since"), required=False)
    introducer_2 = _MemberChoice(label=_("Second introducer"), queryset=Member.objects.none(), required=False)
    introducer_2_since = _date(_("Worked with the applicant since"), required=False)
    youth_union_resolution = forms.CharField(
        label=_("Or: Youth Union resolution (number, date)"), max_length=100, required=False
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if case is not None:
            # Official members of the cell: eligibility on the application date is the service's check.
            roll = Member.objects.filter(organization_id=case.organization_id, status__in=Member.ON_ROLLS).order_by(
                "sort_key"
            )
            self.fields["introducer_1"].queryset = roll
            self.fields["introducer_2"].queryset = roll


class VerificationForm(StepForm):
    result = forms.CharField(label=_("Result"), max_length=300, required=False)
    passed = forms.BooleanField(label=_("The verification confirms the candidate"), required=False)


class VoteForm(StepForm):
    votes_for = forms.IntegerField(label=_("In favour"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, required=False)
    members = forms.IntegerField(label=_("Members entitled to vote"), min_value=0, required=False)


class CellVoteForm(VoteForm):
    over_age_approved = forms.BooleanField(label=_("Approved by a higher level (over the age limit)"), required=False)


class DecisionForm(StepForm):
    number = forms.CharField(label=_("Decision number"), max_length=50)
    decided_by = forms.ModelChoiceField(label=_("Decided by"), queryset=None)
    cccd = forms.CharField(label=_("Citizen ID (CCCD)"), max_length=12, required=False)

    def __init__(self, *args, case=None, **kwargs):
        from handbook.organizations.models import Organization
        from handbook.organizations.paths import ancestor_paths

        super().__init__(*args, case=case, **kwargs)
        paths = ancestor_paths(case.organization.path) if case is not None else []
        self.fields["decided_by"].queryset = Organization.objects.filter(path__in=paths).order_by("-path")
        if case is not None and not self.is_bound and paths:
            self.fields["decided_by"].initial = self.fields["decided_by"].queryset.first()


class CeremonyForm(StepForm):
    pass


STEP_FORMS: dict[str, type[StepForm]] = {
    Step.COURSE: CourseForm,
    Step.APPLICATION: ApplicationForm,
    Step.LIFE_HISTORY: LifeHistoryForm,
    Step.INTRODUCERS: IntroducersForm,
    Step.VERIFICATION: VerificationForm,
    Step.CELL_VOTE: CellVoteForm,
    Step.COMMITTEE_VOTE: VoteForm,
    Step.DECISION: DecisionForm,
    Step.CEREMONY: CeremonyForm,
}


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PipelineFilter(forms.Form):
    step = forms.ChoiceField(
        label=_("Last step"), required=False, choices=[("", _("All")), ("none", _("None yet")), *Step.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *Candidate.Category.choices]
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    number = forms.IntegerField(label=_("Members to admit"), min_value=0, required=False)
    percent = forms.DecimalField(
        label=_("Or: percent of the membership at the start of the year"),
        max_digits=5,
        decimal_places=2,
        required=False,
    )
    enterprise_organizations = forms.IntegerField(
        label=_("New party organisations in non-state enterprises"), min_value=0, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Candidate.Category.choices:
            self.fields[f"cat_{code}"] = forms.IntegerField(label=label, min_value=0, required=False)

    def category_fields(self):
        return [self[f"cat_{code}"] for code in Candidate.Category.values]

    def by_category(self) -> dict:
        return {
            code: self.cleaned_data[f"cat_{code}"]
            for code in Candidate.Category.values
            if self.cleaned_data.get(f"cat_{code}") is not None
        }


class EnterpriseOrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name of the party organisation"), max_length=200)
    enterprise = forms.CharField(label=_("Enterprise"), max_length=200, required=False)
    founded_on = _date(_("Founded on"))


class CellMotionForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)

    def __init__(self, *args, case=None, **kwargs):
        from handbook.meetings.models import Meeting

        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(organization_id=case.organization_id).order_by(
            "-starts_at"
        )
