"""A candidate walked through the admission steps with valid 2025 data."""

import datetime

from handbook.admissions import services
from handbook.admissions.models import STEP_ORDER, Candidate
from handbook.members.models import Member
from handbook.organizations.models import Organization

D = datetime.date
_serial = iter(range(900_000, 999_999))


def next_cccd(sex: str, born: datetime.date) -> str:
    """A valid citizen ID for the birth date (the sex/century digit: 0/1 1900s, 2/3 2000s)."""
    digit = (0 if sex == "M" else 1) + (2 if born.year >= 2000 else 0)
    return f"037{digit}{born.year % 100:02d}{next(_serial):06d}"


DATES = {
    "course": D(2025, 3, 3),
    "application": D(2025, 3, 17),
    "life_history": D(2025, 4, 1),
    "introducers": D(2025, 4, 8),
    "verification": D(2025, 5, 6),
    "cell_vote": D(2025, 6, 2),
    "committee_vote": D(2025, 6, 9),
    "decision": D(2025, 6, 16),
    "ceremony": D(2025, 7, 1),
}


BORN = D(2000, 1, 15)


def candidate(w, *, born=BORN, category=Candidate.Category.WORKER, name="Đinh Văn Tú", cell=None):
    return services.candidate_create(
        actor=None,
        organization=cell or w.a1a,
        full_name=name,
        date_of_birth=born,
        sex="M",
        category=category,
        cccd=next_cccd("M", born),
        contact="0912 345 678",
    )


def step_values(w, case, step: str) -> dict:
    officials = list(
        Member.objects.filter(organization=case.organization, status=Member.Status.OFFICIAL).order_by("pk")
    )
    return {
        "course": {"certificate_number": "123/GCN", "certificate_issued": DATES["course"]},
        "application": {},
        "life_history": {
            "verified": True,
            "hometown": "Yên Mô, Ninh Bình",
            "ethnicity": "Kinh",
            "general_education": "12/12",
        },
        "introducers": {
            "introducer_1": officials[0],
            "introducer_1_since": D(2020, 1, 1),
            "introducer_2": officials[1],
            "introducer_2_since": D(2019, 6, 1),
        },
        "verification": {"result": "Đạt", "passed": True},
        "cell_vote": {"votes_for": 3, "votes_against": 0, "members": 3},
        "committee_vote": {"votes_for": 5, "votes_against": 1, "members": 7},
        "decision": {
            "number": "15-QĐ/ĐU",
            "decided_by": Organization.objects.get(pk=case.organization.parent_id),
        },
        "ceremony": {},
    }[step]


def walk(w, case, until: str, *, actor=None):
    """Record every step up to and including `until`."""
    for step in STEP_ORDER[: STEP_ORDER.index(until) + 1]:
        case = services.case_step_record(
            actor=actor, case=case, step=step, date=DATES[step], document=f"Hồ sơ {step}", **step_values(w, case, step)
        )
    return case


def open_case(w, **kw):
    return services.case_open(actor=None, candidate=candidate(w, **kw))
