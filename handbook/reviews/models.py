"""Reviews: a committee's review period, and one review per subject (a member or an organisation)
that moves through self-assessment → the cell's proposal → the committee's decision."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from handbook.members.models import Member, MergeRule
from handbook.organizations.models import Organization


class ReviewPeriod(models.Model):
    """One review run by a committee (`organization`) over its subtree: of members or of
    organisations, yearly, quarterly or ad hoc. The rule set version in force when the period was
    opened fixes the scale and the level bands for every review in it."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual")
        QUARTERLY = "quarterly", _("Quarterly")
        AD_HOC = "ad_hoc", _("Ad hoc")

    class Subject(models.TextChoices):
        MEMBERS = "members", _("Party members")
        ORGANIZATIONS = "organizations", _("Party organisations")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="review_periods", verbose_name=_("run by")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    subject = models.CharField(_("who is reviewed"), max_length=13, choices=Subject.choices, default=Subject.MEMBERS)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("to"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN)
    rule_set = models.ForeignKey("rules.RuleSetVersion", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-quarter", "-deadline", "-pk"]
        verbose_name = _("review period")
        indexes = [models.Index(fields=["organization", "year"], name="reviewperiod_org_year_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="quarterly", quarter__gte=1, quarter__lte=4))
                | (~models.Q(kind="quarterly") & models.Q(quarter__isnull=True)),
                name="reviewperiod_quarter_for_quarterly",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="reviewperiod_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def for_members(self) -> bool:
        return self.subject == self.Subject.MEMBERS


class Review(models.Model):
    """The review of one subject in one period. Steps happen in order: the self-assessment (by the
    member, or for an organisation by its secretary), the proposal (score and level, by the cell
    or the level above), the decision (final level, by the committee running the period)."""

    class State(models.TextChoices):
        SELF_ASSESSED = "self", _("Self-assessed")
        PROPOSED = "proposed", _("Proposed")
        DECIDED = "decided", _("Decided")

    period = models.ForeignKey(ReviewPeriod, on_delete=models.PROTECT, related_name="reviews")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.SELF_ASSESSED)

    self_text = models.TextField(_("self-assessment"))
    self_score = models.PositiveSmallIntegerField(_("self score"), null=True, blank=True)
    self_level = models.CharField(_("self-assessed level"), max_length=16, blank=True)
    self_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    self_at = models.DateTimeField(null=True)

    proposed_score = models.PositiveSmallIntegerField(_("proposed score"), null=True, blank=True)
    proposed_level = models.CharField(_("proposed level"), max_length=16, blank=True)
    proposal_reason = models.TextField(_("reason for the proposal"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)

    final_score = models.PositiveSmallIntegerField(_("final score"), null=True, blank=True)
    final_level = models.CharField(_("final level"), max_length=16, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    #: The rule set version the decision used (the period's).
    rule_set = models.ForeignKey(
        "rules.RuleSetVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    #: What merging a duplicate member record does with these rows (see MergeRule).
    MEMBER_MERGE = {"member": MergeRule(MergeRule.MOVE, _("reviews"))}

    class Meta:
        ordering = ["period", "pk"]
        verbose_name = _("review")
        indexes = [
            models.Index(fields=["period", "state", "final_level"], name="review_period_state_idx"),
            models.Index(fields=["member", "period"], name="review_member_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(member__isnull=False) & models.Q(organization__isnull=True))
                | (models.Q(member__isnull=True) & models.Q(organization__isnull=False)),
                name="review_one_subject",
            ),
            models.UniqueConstraint(
                fields=["period", "member"], condition=models.Q(member__isnull=False), name="review_one_per_member"
            ),
            models.UniqueConstraint(
                fields=["period", "organization"],
                condition=models.Q(organization__isnull=False),
                name="review_one_per_organization",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="decided")
                | (
                    models.Q(rule_set__isnull=False) & ~models.Q(final_level="") & models.Q(decision_date__isnull=False)
                ),
                name="review_decided_complete",
            ),
        ]

    def __str__(self) -> str:
        subject = self.member.full_name if self.member_id else self.organization.name
        return gettext("Review of %(subject)s (%(period)s)") % {"subject": subject, "period": self.period.title}

    @classmethod
    def member_merge_blocker(cls, rows) -> str:
        """A review under way belongs to the period of the duplicate's cell: finish it first (on the
        kept record it could be out of that period's organisation, and nobody could finish it)."""
        under_way = rows.exclude(state=cls.State.DECIDED).filter(period__status=ReviewPeriod.Status.OPEN)
        if under_way.exists():
            return str(_("The record to merge in has a review under way. Decide it first."))
        return ""

    @property
    def subject(self):
        return self.member if self.member_id else self.organization

    @property
    def self_level_label(self) -> str:
        from .levels import level_label

        return level_label(self.self_level) if self.self_level else ""

    @property
    def proposed_level_label(self) -> str:
        from .levels import level_label

        return level_label(self.proposed_level) if self.proposed_level else ""

    @property
    def final_level_label(self) -> str:
        from .levels import level_label

        return level_label(self.final_level) if self.final_level else ""
