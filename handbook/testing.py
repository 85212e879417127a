"""A small two-province world with one login per persona, shared by the test suites.

Trung ương (admin)
├── Tỉnh A (province: committee staff; leader: leader)
│   ├── Xã A1 (commune: committee staff)
│   │   ├── Chi bộ A1a (secretary; member) — 4 members, 3 official
│   │   └── Chi bộ A1b — 2 members (a small cell)
│   └── Xã A2
│       └── Chi bộ A2a — 3 members
└── Tỉnh B (outsider: committee staff)
    └── Xã B1
        └── Chi bộ B1a — 3 members
"""

import datetime
from types import SimpleNamespace

from handbook.accounts import services as account_services
from handbook.accounts.models import Role, User
from handbook.documents.models import Document, Feedback
from handbook.meetings.models import Meeting
from handbook.members import services as member_services
from handbook.members.models import Member
from handbook.organizations import services as org_services
from handbook.organizations.models import Organization, OrganizationType

PERSONAS = ["anonymous", "member", "secretary", "commune", "province", "leader", "outsider", "admin"]
PASSWORD = "correct-horse-battery"  # noqa: S105

_cccd = iter(range(10_000_000))
BORN = datetime.date(1980, 5, 17)


def next_cccd(sex: str = "M", born: datetime.date = BORN) -> str:
    """A valid citizen ID: Ninh Bình (037), the sex/century digit, the year, a serial."""
    return f"037{0 if sex == 'M' else 1}{born.year % 100:02d}{next(_cccd):06d}"


def make_org(name: str, type_code: str, parent: Organization | None) -> Organization:
    return org_services.organization_create(
        actor=None, name=name, type=OrganizationType.objects.get(code=type_code), parent=parent
    )


def make_member(cell: Organization, name: str, status: str = Member.Status.OFFICIAL, sex: str = "M") -> Member:
    return member_services.member_create(
        actor=None,
        organization=cell,
        full_name=name,
        sex=sex,
        date_of_birth=BORN,
        cccd=next_cccd(sex),
        status=status,
    )


def build_world() -> None:
    central = make_org("Trung ương", "central", None)
    a = make_org("Tỉnh A", "province", central)
    a1 = make_org("Xã A1", "commune", a)
    a1a = make_org("Chi bộ A1a", "cell", a1)
    a1b = make_org("Chi bộ A1b", "cell", a1)
    a2 = make_org("Xã A2", "commune", a)
    a2a = make_org("Chi bộ A2a", "cell", a2)
    b = make_org("Tỉnh B", "province", central)
    b1 = make_org("Xã B1", "commune", b)
    b1a = make_org("Chi bộ B1a", "cell", b1)

    own = make_member(a1a, "Nguyễn Văn Ánh")
    secretary_member = make_member(a1a, "Trần Thị Bích", sex="F")
    other = make_member(a1a, "Lê Văn Cường")
    member_services.member_row_add(
        actor=None,
        member=other,
        table="work",
        start=datetime.date(2005, 1, 1),
        position="Giáo viên",
        workplace="Trường THCS",
    )
    member_services.member_row_add(
        actor=None, member=other, table="family", relation="Vợ", full_name="Ngô Thị Hằng", birth_year=1982
    )
    make_member(a1a, "Phạm Thị Dung", status=Member.Status.PROBATIONARY, sex="F")
    make_member(a1b, "Hoàng Văn Em")
    make_member(a1b, "Đỗ Thị Gấm", sex="F")
    for name in ("Vũ Văn Hải", "Bùi Thị Hoa", "Đặng Văn Khoa"):
        make_member(a2a, name)
    for name in ("Hà Văn Lâm", "Nông Thị Mai", "Lò Văn Nam"):
        make_member(b1a, name)

    def login(username, role=None, where=None, member=None, phone="", sensitive=False):
        user = account_services.user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            member=member,
            phone=phone,
            email=f"{username}@example.org",
        )
        if role:
            account_services.role_grant(actor=None, user=user, organization=where, role=role, sensitive_data=sensitive)

    login("member", member=own, phone="0912000001")
    _give_photo(own)
    login("secretary", Role.CELL_SECRETARY, a1a, member=secretary_member, sensitive=True)
    login("commune", Role.COMMITTEE_STAFF, a1, sensitive=True)
    login("province", Role.COMMITTEE_STAFF, a)
    login("leader", Role.LEADER, a)
    login("outsider", Role.COMMITTEE_STAFF, b, sensitive=True)
    login("admin", Role.ADMIN, central)

    from django.utils import timezone

    from handbook.meetings import services as meeting_services

    soon = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=10)
    meeting = meeting_services.meeting_create(actor=None, organization=a1a, title="Sinh hoạt chi bộ", starts_at=soon)
    meeting_services.meeting_publish(actor=None, meeting=meeting)
    meeting_services.meeting_create(
        actor=None, organization=a1a, title="Họp chuyên đề (nháp)", type="thematic", starts_at=soon
    )
    from handbook.documents import services as document_services

    today = timezone.localdate()
    resolution = document_services.document_create(
        actor=None,
        issuer=a,
        title="Nghị quyết về chuyển đổi số",
        number="01-NQ/TU",
        type="resolution",
        issued_on=today,
        summary="Đẩy mạnh sổ tay đảng viên điện tử.",
        body="Toàn thể đảng viên học tập và thực hiện nghị quyết.",
        requires_ack=True,
        study_mode="reflection",
        study_deadline=today + datetime.timedelta(days=30),
    )
    document_services.document_publish(actor=None, document=resolution)
    document_services.document_create(
        actor=None, issuer=a1, title="Thông báo (nháp)", issued_on=today, audience=[(a1a, "")]
    )
    other = document_services.document_create(actor=None, issuer=b, title="Công văn tỉnh B", issued_on=today)
    document_services.document_publish(actor=None, document=other)
    document_services.feedback_send(
        actor=User.objects.get(username="member"), organization=a1, subject="Góp ý", body="Đề nghị in tài liệu."
    )
    del a2, b1a


def _give_photo(member) -> None:
    import io

    from PIL import Image

    from handbook.members.photos import member_photo_set

    buffer = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 30, 30)).save(buffer, format="PNG")
    member_photo_set(actor=None, member=member, data=buffer.getvalue())


def world() -> SimpleNamespace:
    orgs = {o.name: o for o in Organization.objects.all()}
    users = {u.username: u for u in User.objects.all()}
    return SimpleNamespace(
        central=orgs["Trung ương"],
        a=orgs["Tỉnh A"],
        a1=orgs["Xã A1"],
        a1a=orgs["Chi bộ A1a"],
        a1b=orgs["Chi bộ A1b"],
        a2=orgs["Xã A2"],
        a2a=orgs["Chi bộ A2a"],
        b=orgs["Tỉnh B"],
        b1=orgs["Xã B1"],
        b1a=orgs["Chi bộ B1a"],
        users=users,
        own_member=Member.objects.get(full_name="Nguyễn Văn Ánh"),
        other_member=Member.objects.get(full_name="Lê Văn Cường"),
        outside_member=Member.objects.get(full_name="Hà Văn Lâm"),
        meeting=Meeting.objects.get(title="Sinh hoạt chi bộ"),
        draft_meeting=Meeting.objects.get(title="Họp chuyên đề (nháp)"),
        document=Document.objects.get(number="01-NQ/TU"),
        draft_document=Document.objects.get(title="Thông báo (nháp)"),
        outside_document=Document.objects.get(title="Công văn tỉnh B"),
        feedback=Feedback.objects.get(subject="Góp ý"),
    )


def meeting_move(meeting, starts_at: datetime.datetime, **fields) -> None:
    """Move a meeting in time for a test, with the check-in window the services would give it."""
    from handbook.meetings.models import Meeting
    from handbook.meetings.services import check_in_window

    opens, closes = check_in_window(meeting.organization, starts_at)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts_at, check_in_opens_at=opens, check_in_closes_at=closes, **fields
    )
    meeting.refresh_from_db()
