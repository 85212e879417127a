"""The member record (minimal: the full record is a later issue) and per-cell counters."""

from dataclasses import dataclass

from django.core.validators import RegexValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from handbook.organizations.models import Organization


@dataclass(frozen=True)
class MergeRule:
    """What merging a duplicate member record into the kept one does with the rows of a model that
    point at the duplicate. Every model with a relation to `Member` declares one per field, as
    `MEMBER_MERGE = {"member": MergeRule(MergeRule.MOVE, _("transfers"))}`; a test fails for a
    relation without one, and the merge refuses such rows.

    - MOVE: the person's history (tables, decisions, cases): re-pointed at the kept record; the
      merge is refused if that would break a uniqueness rule (two reviews for one period ...).
    - STAY: a fact about that record at the time (frozen voter lists, attendance, receipts): stays
      with the merged record, which keeps pointing at the kept one.
    - REFUSE: the merge is refused while such a row exists (a login).

    A model may also define `member_merge_blocker(rows) -> str` (a classmethod): a non-empty
    answer refuses the merge while the duplicate's rows are in that state (an open transfer)."""

    MOVE = "move"
    STAY = "stay"
    REFUSE = "refuse"

    kind: str
    #: Plural noun for the merge page ("transfers").
    label: Promise


class Member(models.Model):
    """One member of the organisation, belonging to one cell (a node whose type holds members)."""

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Status(models.TextChoices):
        PROBATIONARY = "probationary", _("Probationary")
        OFFICIAL = "official", _("Official")
        EXEMPT = "exempt", _("Exempt from activities")
        TEMPORARILY_AWAY = "away", _("Temporarily away")
        TRANSFERRED_OUT = "transferred", _("Transferred out")
        REMOVED = "removed", _("Removed from the rolls")
        EXPELLED = "expelled", _("Expelled")
        DECEASED = "deceased", _("Deceased")
        MERGED = "merged", _("Duplicate, merged into another record")

    #: Statuses that count as belonging to the cell today.
    ON_ROLLS = (Status.PROBATIONARY, Status.OFFICIAL, Status.EXEMPT, Status.TEMPORARILY_AWAY)

    class TheoryLevel(models.TextChoices):
        NONE = "", _("None")
        ELEMENTARY = "elementary", _("Elementary")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")
        BACHELOR = "bachelor", _("Bachelor of political science")

    #: Fields shown only to roles granted the sensitive-data permission (and to the member).
    #: `birth_province_code` is protected too: it must equal the CCCD's first three digits.
    SENSITIVE_FIELDS = ("religion", "ethnicity", "cccd", "birth_province_code", "economic_situation")

    # --- identity ---------------------------------------------------------------------------
    full_name = models.CharField(_("full name"), max_length=150)
    family_name = models.CharField(max_length=50, blank=True)
    middle_name = models.CharField(max_length=80, blank=True)
    given_name = models.CharField(max_length=50, blank=True)
    search_name = models.CharField(max_length=150, db_index=True, editable=False)
    sort_key = models.CharField(max_length=400, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    cccd = models.CharField(
        _("citizen ID (CCCD)"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{12}$", _("A citizen ID has exactly 12 digits."))],
    )
    other_names = models.CharField(_("other names"), max_length=150, blank=True)
    birth_place = models.CharField(_("place of birth"), max_length=200, blank=True)
    birth_province_code = models.CharField(
        _("province where the birth was registered"), max_length=3, blank=True, help_text=_("As in the citizen ID.")
    )
    hometown = models.CharField(_("hometown"), max_length=200, blank=True)
    residence = models.CharField(_("residence"), max_length=300, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=50, blank=True)
    religion = models.CharField(_("religion"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=15, blank=True, db_index=True)
    #: Storage name of the re-encoded portrait (random, no personal data); served only through
    #: the access-checked photo view, never as a public media URL.
    photo = models.CharField(_("photo"), max_length=100, blank=True, editable=False)

    # --- party -------------------------------------------------------------------------------
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROBATIONARY)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="members")
    record_number = models.CharField(_("record number"), max_length=20, blank=True)
    card_number = models.CharField(_("party card number"), max_length=20, null=True, blank=True, unique=True)
    admission_date = models.DateField(_("admission date"), null=True, blank=True)
    official_date = models.DateField(_("official-membership date"), null=True, blank=True)
    admitting_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("admitting cell"),
    )
    introducer_1 = models.CharField(_("first introducer"), max_length=150, blank=True)
    introducer_2 = models.CharField(_("second introducer"), max_length=150, blank=True)

    # --- background --------------------------------------------------------------------------
    general_education = models.CharField(_("general education"), max_length=10, blank=True, help_text="12/12")
    professional_qualification = models.CharField(_("profession"), max_length=200, blank=True)
    academic_degree = models.CharField(_("degree"), max_length=100, blank=True)
    political_theory = models.CharField(
        _("political theory"), max_length=12, choices=TheoryLevel.choices, blank=True, default=""
    )
    foreign_languages = models.CharField(_("foreign languages"), max_length=200, blank=True)
    it_skills = models.CharField(_("IT skills"), max_length=200, blank=True)
    youth_union_date = models.DateField(_("Youth Union admission"), null=True, blank=True)
    military_enlisted = models.DateField(_("military service from"), null=True, blank=True)
    military_discharged = models.DateField(_("military service until"), null=True, blank=True)
    military_rank = models.CharField(_("military rank"), max_length=50, blank=True)
    economic_situation = models.TextField(_("economic situation"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged into")
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"merged_into": MergeRule(MergeRule.STAY, _("records merged into it earlier"))}

    class Meta:
        verbose_name = _("member")
        indexes = [models.Index(fields=["organization", "sort_key"], name="member_org_sort_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(cccd__regex=r"^[0-9]{12}$"), name="member_cccd_12_digits"),
        ]

    def __str__(self) -> str:
        return self.full_name


class MemberCount(models.Model):
    """How many members of one status a cell holds. Kept exact by the member services in the same
    transaction as the change; a subtree's count is the sum over its path range (no row scan of
    the members table), so the nation's count reads ~900 k small rows, not 5.6 M members.

    `path` copies the cell's path so a subtree sum is one index range on this table alone (no join);
    the organisation services rewrite it when a subtree moves (`MemberContents.subtree_moved`)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="member_counts", db_index=False
    )
    path = models.CharField(max_length=255, db_index=True)
    status = models.CharField(max_length=12, choices=Member.Status.choices)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "status"], name="membercount_unique"),
            models.CheckConstraint(condition=models.Q(count__gte=0), name="membercount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.status}: {self.count}"


class StatusChange(models.Model):
    """The member's status history: each change with the day it took effect. Party age is
    computed from it (`party_age.party_age`)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="status_changes")
    status = models.CharField(_("status"), max_length=12, choices=Member.Status.choices)
    effective_date = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.MOVE, _("status changes"))}

    class Meta:
        ordering = ["member", "effective_date", "id"]
        indexes = [models.Index(fields=["member", "effective_date"], name="statuschange_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.status} from {self.effective_date}"


class RecordTable(models.Model):
    """Base of the record's tables (work history, training, ...): rows belong to one member."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    #: Rows of these tables are sensitive: shown only with the sensitive-data permission.
    sensitive = False

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.MOVE, _("rows of the record's tables"))}

    class Meta:
        abstract = True


class WorkHistory(RecordTable):
    """Work history (quá trình công tác)."""

    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=200)
    workplace = models.CharField(_("workplace"), max_length=200)

    class Meta:
        ordering = ["member", "start", "id"]
        verbose_name = _("work history")

    def __str__(self) -> str:
        return f"{self.position}, {self.workplace}"


class Training(RecordTable):
    """Training and education courses (đào tạo, bồi dưỡng)."""

    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    institution = models.CharField(_("institution"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    qualification = models.CharField(_("qualification"), max_length=100, blank=True)

    class Meta:
        ordering = ["member", "start", "id"]
        verbose_name = _("training")

    def __str__(self) -> str:
        return f"{self.subject}, {self.institution}"


class Reward(RecordTable):
    """Commendations and rewards (khen thưởng)."""

    date = models.DateField(_("date"))
    title = models.CharField(_("reward"), max_length=200)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)

    class Meta:
        ordering = ["member", "date", "id"]
        verbose_name = _("reward")

    def __str__(self) -> str:
        return self.title


class Badge(RecordTable):
    """Party membership badges (huy hiệu Đảng) by years of party age."""

    YEARS = [(n, str(n)) for n in (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)]

    # Served by the unique (member, years) index.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", db_index=False)
    years = models.PositiveSmallIntegerField(_("years"), choices=YEARS)
    awarded_on = models.DateField(_("awarded on"))

    class Meta:
        ordering = ["member", "years"]
        verbose_name = _("badge")
        constraints = [models.UniqueConstraint(fields=["member", "years"], name="badge_once_per_level")]

    def __str__(self) -> str:
        return f"{self.years}"


class DisciplineRecord(RecordTable):
    """Disciplinary measures (kỷ luật). Sensitive."""

    class Form(models.TextChoices):
        REPRIMAND = "reprimand", _("Reprimand")
        WARNING = "warning", _("Warning")
        REMOVAL_FROM_POST = "removal", _("Removal from post")
        EXPULSION = "expulsion", _("Expulsion")

    sensitive = True

    date = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=12, choices=Form.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.CharField(_("decided by"), max_length=200)

    class Meta:
        ordering = ["member", "date", "id"]
        verbose_name = _("discipline record")

    def __str__(self) -> str:
        return self.get_form_display()


class FamilyMember(RecordTable):
    """Family members (quan hệ gia đình). Sensitive."""

    sensitive = True

    relation = models.CharField(_("relation"), max_length=50)
    full_name = models.CharField(_("full name"), max_length=150)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    occupation = models.CharField(_("occupation"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["member", "id"]
        verbose_name = _("family member")

    def __str__(self) -> str:
        return f"{self.relation}: {self.full_name}"


class TravelAbroad(RecordTable):
    """Travel abroad (đi nước ngoài)."""

    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    country = models.CharField(_("country"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200)

    class Meta:
        ordering = ["member", "start", "id"]
        verbose_name = _("travel abroad")

    def __str__(self) -> str:
        return f"{self.country} ({self.start})"


#: The record's tables, by the key used in URLs and the API.
RECORD_TABLES: dict[str, type[RecordTable]] = {
    "work": WorkHistory,
    "training": Training,
    "rewards": Reward,
    "badges": Badge,
    "discipline": DisciplineRecord,
    "family": FamilyMember,
    "travel": TravelAbroad,
}


class ChangeRequest(models.Model):
    """A member's proposed correction of their own record, decided by the cell (secretary or
    committee staff). Approval applies the change through the member service."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the cell")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="change_requests")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    before = models.JSONField()
    changes = models.JSONField()
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.STAY, _("change requests (pending ones are rejected)"))}

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "member"], name="changerequest_state_idx")]
        verbose_name = _("change request")

    def __str__(self) -> str:
        return f"{self.member} · {self.state}"


class ImportJob(models.Model):
    """One upload of members from Excel/CSV, validated as a whole and written in one transaction
    (or, if the user chose it, only its valid rows). Runs as a background task; the page polls."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        VALIDATING = "validating", _("Checking every row")
        WRITING = "writing", _("Saving")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Not imported: errors found")
        CRASHED = "crashed", _("Stopped by an internal error")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("Import nothing if any row has an error")
        VALID_ONLY = "valid", _("Import the valid rows and report the others")

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    mode = models.CharField(max_length=5, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
