"""The 2025 rules (Regulation 294, Guidance 06, Regulation 296, Regulation 366) as the national
default rule set "Quy định 2025", in force from 2025-01-01.

The values are written out here, not read from the registry, so this migration keeps creating
the same rules whatever the code later declares. Later changes are new versions, made in the
application (audited), never edits of this migration.
"""

import datetime

from django.db import migrations

# Vietnam's public holidays (Labour Code 2019 art. 112 and the yearly Prime Minister's decisions
# on days off in lieu), weekdays and weekend days alike: New Year, Tết (five days, placed around
# the lunar new year: 2025-01-29, 2026-02-17, 2027-02-06), Hùng Kings (10th of the 3rd lunar
# month), 30 April, 1 May, National Day (2 September and an adjacent day), Vietnamese Culture Day
# (24 November, from 2026) and observed days when a holiday falls on a weekend.
# MUST BE REVIEWED EVERY YEAR: the government fixes Tết and the days off in lieu yearly, and the
# 2027 dates are provisional. A Saturday declared a working day in exchange for a bridge day
# (2025-04-26, 2026-08-22) cannot be expressed yet: the rulebook only removes days.
HOLIDAYS = [
    # 2025
    "2025-01-01",
    "2025-01-27",
    "2025-01-28",
    "2025-01-29",
    "2025-01-30",
    "2025-01-31",
    "2025-02-01",
    "2025-04-07",
    "2025-04-30",
    "2025-05-01",
    "2025-05-02",
    "2025-09-01",
    "2025-09-02",
    # 2026
    "2026-01-01",
    "2026-02-16",
    "2026-02-17",
    "2026-02-18",
    "2026-02-19",
    "2026-02-20",
    "2026-04-26",
    "2026-04-27",
    "2026-04-30",
    "2026-05-01",
    "2026-08-31",
    "2026-09-01",
    "2026-09-02",
    "2026-11-24",
    # 2027 (provisional)
    "2027-01-01",
    "2027-02-04",
    "2027-02-05",
    "2027-02-06",
    "2027-02-07",
    "2027-02-08",
    "2027-02-09",
    "2027-02-10",
    "2027-04-16",
    "2027-04-30",
    "2027-05-01",
    "2027-05-03",
    "2027-09-02",
    "2027-09-03",
    "2027-11-24",
]

RULES_2025 = {
    "admission.age_min": 18,
    "admission.age_max": 60,
    "admission.awareness_certificate_months": 60,
    "admission.introducer_min_years": 1,
    "admission.cell_vote_threshold": "2/3",
    "admission.committee_vote_threshold": "2/3",
    "admission.ceremony_working_days": 30,
    "probation.months": 12,
    "probation.decision_working_days": 30,
    "transfer.present_working_days": 30,
    "transfer.temporary_min_months": 3,
    "transfer.temporary_max_months": 12,
    "transfer.study_max_months": 24,
    "review.scale_max": 100,
    "review.levels": [["excellent", 90], ["good", 70], ["completed", 50], ["not_completed", 0]],
    "discipline.member_forms": ["reprimand", "warning", "removal_from_post", "expulsion"],
    "discipline.organization_forms": ["reprimand", "warning", "dissolution"],
    "discipline.appeal_days": 30,
    "badges.milestones": [30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90],
    "badges.early_months": [[30, 65, 12], [70, 90, 24]],
    "meetings.check_in_opens_minutes": 30,
    "meetings.check_in_closes_minutes": 240,
    "meetings.quorum": "2/3",
    "meetings.default_threshold": ">1/2",
    "meetings.small_secret_group": 5,
    "calendar.holidays": HOLIDAYS,
}

NAME = "Quy định 2025"


def create(apps, schema_editor):
    RuleSet = apps.get_model("rules", "RuleSet")
    RuleSetVersion = apps.get_model("rules", "RuleSetVersion")
    rule_set = RuleSet.objects.create(
        name=NAME,
        description=(
            "Quy định 294, Hướng dẫn 06, Quy định 296, Quy định 366 (2025): kết nạp, dự bị, chuyển sinh hoạt, "
            "đánh giá, kỷ luật, huy hiệu, sinh hoạt chi bộ."
        ),
        is_default=True,
    )
    RuleSetVersion.objects.create(
        rule_set=rule_set,
        number=1,
        effective_from=datetime.date(2025, 1, 1),
        values=RULES_2025,
        note="Bộ quy định ban đầu. Ngày nghỉ lễ cần rà soát hằng năm.",
    )


def remove(apps, schema_editor):
    RuleSet = apps.get_model("rules", "RuleSet")
    RuleSetVersion = apps.get_model("rules", "RuleSetVersion")
    RuleSetVersion.objects.filter(rule_set__name=NAME).delete()
    RuleSet.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
