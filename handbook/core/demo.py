"""A deterministic Vietnamese demo organisation: one province of ~3,000 members, a small second
province, and one login per persona. Everything is written through the services (so the demo has
a real audit trail and real counters), with a fixed random seed (so every run is identical)."""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from handbook.accounts import services as account_services
from handbook.accounts.models import Role
from handbook.members import services as member_services
from handbook.members.models import Member
from handbook.members.validators import add_months, add_years
from handbook.organizations import services as org_services
from handbook.organizations.models import Organization, OrganizationType

from .names import FAMILY, FAMILY_WEIGHTS, GIVEN_F, GIVEN_M, MIDDLE_F, MIDDLE_M

SEED = 20251201

COMMUNES = [
    ("xã", "Yên Mô"),
    ("phường", "Hoa Lư"),
    ("phường", "Tam Điệp"),
    ("xã", "Gia Viễn"),
    ("xã", "Nho Quan"),
    ("xã", "Kim Sơn"),
    ("xã", "Yên Khánh"),
    ("phường", "Nam Hoa Lư"),
    ("xã", "Gia Hưng"),
    ("xã", "Phát Diệm"),
    ("xã", "Cúc Phương"),
    ("phường", "Trung Sơn"),
]
VILLAGE_CELLS = ["thôn Đông", "thôn Tây", "thôn Nam", "thôn Bắc", "thôn Thượng", "thôn Hạ", "xóm Chùa", "xóm Đình"]
INSTITUTION_CELLS = ["Trường Tiểu học", "Trường THCS", "Trạm Y tế", "Công an xã", "Quân sự xã", "Hội Cựu chiến binh"]
OTHER_GRASSROOTS = [
    ("Đảng bộ Sở Y tế", ["Chi bộ Văn phòng Sở", "Chi bộ Phòng Nghiệp vụ", "Chi bộ Thanh tra Sở"]),
    (
        "Đảng bộ Bệnh viện Đa khoa tỉnh",
        ["Chi bộ Khoa Nội", "Chi bộ Khoa Ngoại", "Chi bộ Khoa Sản", "Chi bộ Hành chính"],
    ),
    (
        "Đảng bộ Công ty Xi măng Tam Điệp",
        ["Chi bộ Phân xưởng Lò nung", "Chi bộ Phân xưởng Nghiền", "Chi bộ Kinh doanh"],
    ),
]
GRASSROOTS_CELLS = ["Chi bộ Báo Ninh Bình", "Chi bộ Đài Phát thanh và Truyền hình tỉnh"]

PROVINCE_CODE = {"Ninh Bình": "037", "Cao Bằng": "004"}
ETHNICITIES = {"Ninh Bình": ["Kinh", "Mường", "Tày"], "Cao Bằng": ["Tày", "Nùng", "Kinh"]}


@dataclass
class Persona:
    username: str
    role: str
    where: str
    phone: str = ""


class DemoBuilder:
    def __init__(self, *, password: str, members_target: int = 3000):
        self.rng = random.Random(SEED)
        self.password = password
        self.members_target = members_target
        self.types = {t.code: t for t in OrganizationType.objects.all()}
        self.cccd_seq = 0
        self.personas: list[Persona] = []

    # -- helpers -----------------------------------------------------------------------------
    def org(self, name: str, type_code: str, parent: Organization | None) -> Organization:
        return org_services.organization_create(actor=None, name=name, type=self.types[type_code], parent=parent)

    def person(self, sex: str) -> str:
        family = self.rng.choices(FAMILY, FAMILY_WEIGHTS)[0]
        middle = self.rng.choice(MIDDLE_M if sex == "M" else MIDDLE_F)
        given = self.rng.choice(GIVEN_M if sex == "M" else GIVEN_F)
        return f"{family} {middle} {given}"

    def cccd(self, province: str, sex: str, born: datetime.date) -> str:
        self.cccd_seq += 1
        century_digit = (0 if born.year < 2000 else 2) + (0 if sex == "M" else 1)
        return f"{PROVINCE_CODE[province]}{century_digit}{born.year % 100:02d}{self.cccd_seq:06d}"

    def party_dates(self, born: datetime.date, status: str) -> dict:
        """Admission at 18–40 (probationary members: within the last year), official 12–15 months later."""
        today = timezone.localdate()
        if status == Member.Status.PROBATIONARY:
            admission = today - datetime.timedelta(days=self.rng.randint(20, 330))
            return {"admission_date": max(admission, add_years(born, 18))}
        latest = today - datetime.timedelta(days=500)
        admission = min(add_years(born, self.rng.randint(18, 40)), latest)
        if admission < add_years(born, 18):
            return {}
        official = add_months(admission, self.rng.randint(12, 15))
        return {"admission_date": admission, "official_date": min(official, today)}

    def add_members(
        self, cell: Organization, count: int, province: str, *, officials_at_least: int = 0
    ) -> list[Member]:
        made = []
        for i in range(count):
            sex = "M" if self.rng.random() < 0.62 else "F"
            born = datetime.date(self.rng.randint(1940, 2003), self.rng.randint(1, 12), self.rng.randint(1, 28))
            roll = self.rng.random()
            if i < officials_at_least or roll < 0.84:
                status = Member.Status.OFFICIAL
            elif roll < 0.92:
                status = Member.Status.PROBATIONARY
            elif roll < 0.97:
                status = Member.Status.EXEMPT
            else:
                status = Member.Status.TEMPORARILY_AWAY
            if born.year > 1998 and status == Member.Status.EXEMPT:
                status = Member.Status.OFFICIAL
            made.append(
                member_services.member_create(
                    actor=None,
                    organization=cell,
                    full_name=self.person(sex),
                    sex=sex,
                    date_of_birth=born,
                    cccd=self.cccd(province, sex, born),
                    status=status,
                    birth_province_code=PROVINCE_CODE[province],
                    ethnicity=self.rng.choices(ETHNICITIES[province], [8, 1, 1])[0],
                    religion=self.rng.choices(["Không", "Phật giáo", "Công giáo"], [8, 1, 1])[0],
                    phone=f"09{self.rng.randint(10_000_000, 99_999_999)}" if self.rng.random() < 0.7 else "",
                    general_education="12/12" if born.year > 1960 or self.rng.random() < 0.5 else "10/10",
                    political_theory=self.rng.choices(["", "elementary", "intermediate", "advanced"], [2, 5, 2, 1])[0],
                    **self.party_dates(born, status),
                )
            )
        return made

    def login(
        self,
        username: str,
        role: str | None,
        where: Organization,
        *,
        member: Member | None = None,
        phone: str = "",
        full_name: str = "",
        email: str = "",
        sensitive: bool = False,
    ) -> None:
        user = account_services.user_create(
            actor=None,
            username=username,
            password=self.password,
            member=member,
            phone=phone,
            full_name=full_name or (member.full_name if member else username),
            email=email,
        )
        if role:
            account_services.role_grant(actor=None, user=user, organization=where, role=role, sensitive_data=sensitive)
        label = dict(Role.choices).get(role, "Member") if role else "Member"
        self.personas.append(Persona(username=username, role=str(label), where=where.name, phone=phone))

    # -- the organisation -------------------------------------------------------------------
    @transaction.atomic
    def build(self) -> list[Persona]:
        central = self.org("Ban Chấp hành Trung ương", "central", None)
        province = self.org("Đảng bộ tỉnh Ninh Bình", "province", central)
        cells: list[Organization] = []
        first_commune = None
        first_cell = None
        for idx, (kind, name) in enumerate(COMMUNES):
            commune = self.org(f"Đảng bộ {kind} {name}", "commune", province)
            first_commune = first_commune or commune
            n_cells = 5 + (idx * 3) % 5
            names = VILLAGE_CELLS[: max(3, n_cells - 2)] + INSTITUTION_CELLS[: n_cells - max(3, n_cells - 2)]
            parent = commune
            if idx == 0:
                parent = self.org(f"Đảng bộ bộ phận khối cơ quan {kind} {name}", "partial", commune)
            for j, cell_name in enumerate(names):
                cell = self.org(f"Chi bộ {cell_name}", "cell", commune if (idx == 0 and j < 3) else parent)
                cells.append(cell)
                first_cell = first_cell or cell
        for grassroots, sub in OTHER_GRASSROOTS:
            node = self.org(grassroots, "grassroots_other", province)
            cells.extend(self.org(c, "cell", node) for c in sub)
        cells.extend(self.org(name, "grassroots_cell", province) for name in GRASSROOTS_CELLS)

        # ~3,000 members over the cells; two cells are kept small to show the "fewer than 3" flag.
        per_cell = max(3, self.members_target // len(cells))
        demo_members: list[Member] = []
        for k, cell in enumerate(cells):
            if k in (7, 23):
                self.add_members(cell, 4, "Ninh Bình")  # likely fewer than 3 official
                continue
            count = per_cell + self.rng.randint(-per_cell // 3, per_cell // 3)
            made = self.add_members(cell, count, "Ninh Bình", officials_at_least=3 if cell == first_cell else 0)
            if cell == first_cell:
                demo_members = made

        other = self.org("Đảng bộ tỉnh Cao Bằng", "province", central)
        other_commune = self.org("Đảng bộ xã Trà Lĩnh", "commune", other)
        other_cells = [
            self.org(name, "cell", other_commune) for name in ("Chi bộ thôn Bản Khun", "Chi bộ thôn Lũng Tiến")
        ]
        for other_cell in other_cells:
            self.add_members(other_cell, 12, "Cao Bằng")

        self.login("admin", Role.ADMIN, central, full_name="Quản trị hệ thống", email="admin@example.org")
        self.login("tinh", Role.COMMITTEE_STAFF, province, full_name="Trần Văn Tỉnh", sensitive=True)
        self.login("lanhdao", Role.LEADER, province, full_name="Phạm Thị Lãnh")
        self.login("xa", Role.COMMITTEE_STAFF, first_commune, full_name="Lê Văn Xã", sensitive=True)
        self.login("bithu", Role.CELL_SECRETARY, first_cell, member=demo_members[0], sensitive=True)
        self.login("dangvien", None, first_cell, member=demo_members[1], phone="0912345678")
        self.login("caobang", Role.COMMITTEE_STAFF, other, full_name="Hoàng Văn Bằng")
        self.meetings(first_cell)
        self.documents(province, first_commune, first_cell)
        self.reports(first_commune)
        self.reviews(first_commune, first_cell)
        self.probation_and_badges(first_cell)
        self.transfers(first_commune, demo_members[:2], cells, other_cells[0])
        self.discipline(first_cell)
        self.admissions(province, first_commune, first_cell)
        return self.personas

    def reviews(self, commune: Organization, cell: Organization) -> None:
        """Last year's review in the persona commune: the persona cell's members self-assessed,
        most proposed by the cell and decided by the commune; this year's period left open."""
        from handbook.accounts.models import User
        from handbook.reviews import services as reviews

        today = timezone.localdate()
        last = reviews.period_create(
            actor=None,
            organization=commune,
            title=f"Kiểm điểm, đánh giá, xếp loại đảng viên năm {today.year - 1}",
            kind="annual",
            subject="members",
            year=today.year - 1,
            deadline=today - datetime.timedelta(days=20),
        )
        reviews.period_create(
            actor=None,
            organization=commune,
            title=f"Kiểm điểm, đánh giá, xếp loại đảng viên năm {today.year}",
            kind="annual",
            subject="members",
            year=today.year,
            deadline=today + datetime.timedelta(days=45),
        )
        xa, bithu = User.objects.get(username="xa"), User.objects.get(username="bithu")
        members = list(Member.objects.filter(organization=cell, status__in=Member.ON_ROLLS).order_by("pk"))
        for k, member in enumerate(members):
            score = self.rng.choice([95, 88, 82, 76, 64, 45])
            reviews.review_self_assess(
                actor=None, period=last, subject=member, text="Hoàn thành nhiệm vụ được giao.", score=score
            )
            if k % 5 == 4:
                continue  # still waiting for the cell
            reviews.review_propose(actor=bithu, period=last, subject=member, score=score)
            if k % 5 != 3:
                reviews.review_decide(
                    actor=xa,
                    period=last,
                    subject=member,
                    decision_number=f"{k + 1:02d}-QĐ/ĐU",
                    decision_date=today - datetime.timedelta(days=10),
                )

    def probation_and_badges(self, cell: Organization) -> None:
        """Probationary members whose probation is ending, due and overdue, one recognised; and
        veterans reaching 30 and 45 years of party age (one a year early), one badge awarded."""
        from handbook.badges.dates import next_occasions
        from handbook.badges.services import badge_award
        from handbook.probation.services import recognition_decide

        today = timezone.localdate()

        def member(admitted: datetime.date, born: datetime.date, status: str) -> Member:
            sex = "M" if self.rng.random() < 0.6 else "F"
            dates = {"admission_date": admitted}
            if status != Member.Status.PROBATIONARY:
                dates["official_date"] = add_months(admitted, 12)
            return member_services.member_create(
                actor=None,
                organization=cell,
                full_name=self.person(sex),
                sex=sex,
                date_of_birth=born,
                cccd=self.cccd("Ninh Bình", sex, born),
                status=status,
                **dates,
            )

        young = datetime.date(1998, 4, 12)
        for days_ago in (-25, 10, 95):  # ending in 25 days, ended 10 days ago, overdue
            member(add_months(today - datetime.timedelta(days=days_ago), -12), young, Member.Status.PROBATIONARY)
        decided = member(add_months(today - datetime.timedelta(days=7), -12), young, Member.Status.PROBATIONARY)
        voters = max(1, Member.objects.filter(organization=cell, status=Member.Status.OFFICIAL).count())
        recognition_decide(
            actor=None,
            member=decided,
            outcome="recognised",
            decision_number="112-QĐ/ĐU",
            decision_date=today,
            votes_for=voters,
            eligible=voters,
        )
        occasion = next_occasions(today)[0]
        old = datetime.date(1948, 6, 1)
        for years, early_months in ((30, 0), (30, 8), (45, 0)):
            member(add_years(add_months(occasion, early_months), -years), old, Member.Status.OFFICIAL)
        past = datetime.date(today.year - 1, 9, 2)
        veteran = member(add_years(past, -40), old, Member.Status.OFFICIAL)
        badge_award(
            actor=None, member=veteran, years=40, award_date=past, decision_number="86-QĐ/TU", decision_date=past
        )

    def transfers(
        self, commune: Organization, personas: list[Member], cells: list[Organization], far_cell: Organization
    ) -> None:
        """Letters from the persona commune's cells: one waiting to be accepted, one to another
        province, one temporary transfer under way, and one not presented in time (overdue)."""
        from handbook.accounts.models import User
        from handbook.transfers import services as transfers

        xa = User.objects.get(username="xa")
        today = timezone.localdate()
        movable = list(
            Member.objects.filter(organization__path__startswith=commune.path, status__in=transfers.TRANSFERABLE)
            .exclude(pk__in=[m.pk for m in personas])
            .select_related("organization")
            .order_by("pk")[:4]
        )
        if len(movable) < 4:
            return

        def elsewhere(member, k):
            return [c for c in cells if c.pk != member.organization_id][k]

        def issue(member, to, days_ago, number, **extra):
            return transfers.transfer_issue(
                actor=xa,
                member=member,
                to_organization=to,
                kind=extra.pop("kind", "official"),
                letter_number=f"{number}-GGT/ĐU",
                issued_on=today - datetime.timedelta(days=days_ago),
                dues_paid_until=today.replace(day=1) - datetime.timedelta(days=1),
                **extra,
            )

        waiting = issue(movable[0], elsewhere(movable[0], 0), 5, 21)
        transfers.transfer_present(actor=None, transfer=waiting, presented_on=today - datetime.timedelta(days=2))
        issue(movable[1], far_cell, 3, 22)
        start = today - datetime.timedelta(days=30)
        away = issue(
            movable[2],
            elsewhere(movable[2], 1),
            35,
            23,
            kind="temporary",
            start=start,
            end=start + datetime.timedelta(days=180),
        )
        transfers.transfer_present(actor=None, transfer=away, presented_on=start)
        transfers.transfer_accept(actor=None, transfer=away, accepted_on=start)
        issue(movable[3], elsewhere(movable[3], 2), 75, 19)

    def discipline(self, cell: Organization) -> None:
        """A decided warning (notified, still open to appeal), an exemption, a death and a removal."""
        from handbook.discipline import services as discipline_services

        today = timezone.localdate()
        ago = lambda n: today - datetime.timedelta(days=n)  # noqa: E731
        # Four more official members of the persona cell, so the personas' own records stay as they are.
        officials = self.add_members(cell, 4, "Ninh Bình", officials_at_least=4)
        case = discipline_services.case_open(
            actor=None,
            member=officials[0],
            violation="Không đóng đảng phí 3 tháng liên tục, không có lý do chính đáng.",
            opened_on=ago(40),
        )
        case = discipline_services.case_decide(
            actor=None,
            case=case,
            form="warning",
            decided_by="Đảng ủy " + (cell.parent.name if cell.parent else cell.name),
            decision_number="15-QĐ/ĐU",
            decision_date=ago(20),
            votes_for=9,
            votes_against=2,
            voters=13,
        )
        discipline_services.case_notify(actor=None, case=case, notified_on=ago(18))
        discipline_services.exemption_grant(
            actor=None, member=officials[1], reason="Tuổi cao, sức yếu", start=ago(90), decision_number="07-QĐ/ĐU"
        )
        discipline_services.exit_record(actor=None, member=officials[2], kind="death", date=ago(30))
        discipline_services.exit_record(
            actor=None,
            member=officials[3],
            kind="removal",
            date=ago(10),
            decision="21-QĐ/ĐU",
            note="Bỏ sinh hoạt chi bộ 3 tháng liên tục không có lý do chính đáng.",
        )

    def admissions(self, province: Organization, commune: Organization, cell: Organization) -> None:
        """Candidates of the persona cell at different steps (one decided, its ceremony pending;
        one with an expired certificate), this year's targets, and one new enterprise cell."""
        from handbook.admissions import services as admissions
        from handbook.admissions.models import Candidate

        today = timezone.localdate()

        def ago(days: int) -> datetime.date:
            return today - datetime.timedelta(days=days)

        def candidate(name, sex, born, category):
            return admissions.candidate_create(
                actor=None,
                organization=cell,
                full_name=name,
                sex=sex,
                date_of_birth=born,
                category=category,
                cccd=self.cccd("Ninh Bình", sex, born),
                contact="Thôn Đông",
            )

        introducers = list(
            Member.objects.filter(
                organization=cell, status=Member.Status.OFFICIAL, official_date__lt=ago(700)
            ).order_by("pk")[:2]
        )
        Cat = Candidate.Category
        decided = admissions.case_open(
            actor=None, candidate=candidate("Nguyễn Thị Hạnh", "F", datetime.date(1998, 4, 12), Cat.WORKER)
        )
        moving = admissions.case_open(
            actor=None, candidate=candidate("Vũ Văn Thành", "M", datetime.date(2001, 9, 3), Cat.BUSINESS_OWNER)
        )
        expired = admissions.case_open(
            actor=None, candidate=candidate("Đỗ Văn Lợi", "M", datetime.date(1990, 1, 20), Cat.RELIGIOUS)
        )
        candidate("Phạm Thị Mai", "F", datetime.date(2004, 6, 1), Cat.STUDENT)
        steps = [
            ("course", 200, {"certificate_number": "125/GCN-TTCT"}),
            ("application", 180, {}),
            ("life_history", 170, {"verified": True}),
            ("introducers", 160, {}),
            ("verification", 120, {"result": "Đủ tiêu chuẩn", "passed": True}),
            ("cell_vote", 100, {"votes_for": 5, "votes_against": 0, "members": 6}),
            ("committee_vote", 60, {"votes_for": 9, "votes_against": 0, "members": 11}),
            ("decision", 10, {"number": "45-QĐ/ĐU", "decided_by": commune}),
        ]
        if len(introducers) == 2:
            steps[3][2].update(
                introducer_1=introducers[0],
                introducer_1_since=ago(1500),
                introducer_2=introducers[1],
                introducer_2_since=ago(1200),
            )
            for step, days, values in steps:
                decided = admissions.case_step_record(
                    actor=None, case=decided, step=step, date=ago(days), document=f"Hồ sơ: {step}", **values
                )
            for step, days, values in steps[:5]:
                moving = admissions.case_step_record(actor=None, case=moving, step=step, date=ago(days - 20), **values)
        admissions.case_step_record(
            actor=None,
            case=expired,
            step="course",
            date=add_months(today, -62),
            certificate_number="07/GCN-TTCT",
        )
        admissions.target_set(
            actor=None,
            organization=province,
            year=today.year,
            percent=Decimal("3"),
            by_category={Cat.WORKER: 20, Cat.BUSINESS_OWNER: 5, Cat.RELIGIOUS: 3, Cat.STUDENT: 10},
            enterprise_organizations=2,
        )
        admissions.target_set(actor=None, organization=commune, year=today.year, number=6)
        admissions.enterprise_organization_record(
            actor=None,
            organization=commune,
            name="Chi bộ Công ty TNHH May Hoa Lư",
            enterprise="Công ty TNHH May Hoa Lư",
            founded_on=ago(40),
        )

    def meetings(self, cell: Organization) -> None:
        """The persona cell meets on the 5th at 19:00; one meeting starts soon, so checking in works."""
        from handbook.meetings import services as meeting_services

        meeting_services.schedule_set(
            actor=None, organization=cell, day_of_month=5, time=datetime.time(19, 0), place="Nhà văn hóa thôn Đông"
        )
        for meeting in meeting_services.schedule_generate(actor=None, organization=cell, months=3):
            meeting_services.meeting_publish(actor=None, meeting=meeting)
        soon = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=15)
        meeting = meeting_services.meeting_create(
            actor=None,
            organization=cell,
            type="thematic",
            title="Sinh hoạt chuyên đề: học tập Nghị quyết",
            starts_at=soon,
            place="Nhà văn hóa thôn Đông",
            agenda="1. Quán triệt Nghị quyết\n2. Thảo luận, liên hệ thực tế\n3. Biểu quyết chương trình hành động",
        )
        meeting_services.meeting_publish(actor=None, meeting=meeting)

    def documents(self, province: Organization, commune: Organization, cell: Organization) -> None:
        """A province resolution to study, a commune notice, a guide for cell secretaries only, a few
        readers, and a member's question answered by the commune."""
        from handbook.accounts.models import User
        from handbook.documents import services as documents

        today = timezone.localdate()
        tinh, xa = User.objects.get(username="tinh"), User.objects.get(username="xa")
        resolution = documents.document_create(
            actor=tinh,
            issuer=province,
            type="resolution",
            number="05-NQ/TU",
            title="Nghị quyết về đẩy mạnh chuyển đổi số trong công tác đảng",
            issued_on=today - datetime.timedelta(days=3),
            summary="Mỗi đảng viên sử dụng thành thạo Sổ tay đảng viên điện tử trong năm nay.",
            body=(
                "1. Mục tiêu: 100% chi bộ sinh hoạt có sử dụng Sổ tay đảng viên điện tử.\n"
                "2. Nhiệm vụ: các cấp ủy hướng dẫn đảng viên cài đặt, đăng nhập và sử dụng.\n"
                "3. Tổ chức thực hiện: các chi bộ học tập, quán triệt và báo cáo kết quả."
            ),
            requires_ack=True,
            study_mode="reflection",
            study_deadline=today + datetime.timedelta(days=30),
        )
        documents.document_publish(actor=tinh, document=resolution)
        notice = documents.document_create(
            actor=xa,
            issuer=commune,
            type="notice",
            title="Thông báo lịch học tập nghị quyết tháng này",
            issued_on=today,
            body="Các chi bộ tổ chức học tập Nghị quyết 05-NQ/TU trong buổi sinh hoạt thường kỳ.",
        )
        documents.document_publish(actor=xa, document=notice)
        guide = documents.document_create(
            actor=tinh,
            issuer=province,
            type="guidance",
            title="Hướng dẫn bí thư chi bộ điểm danh bằng mã QR",
            issued_on=today,
            body="Bí thư mở trang buổi sinh hoạt, chọn Mã QR điểm danh và đưa đảng viên quét.",
            audience=[(province, "cell_secretary")],
        )
        documents.document_publish(actor=tinh, document=guide)
        readers = User.objects.filter(member__organization=cell)
        for user in readers:
            documents.document_read(user=user, document=notice)
        dangvien = User.objects.get(username="dangvien")
        question = documents.feedback_send(
            actor=dangvien,
            organization=commune,
            document=notice,
            subject="Đề nghị in tài liệu cho đảng viên cao tuổi",
            body="Chi bộ có nhiều đảng viên cao tuổi, đề nghị đảng ủy in nghị quyết khổ chữ lớn.",
        )
        documents.feedback_answer(actor=xa, feedback=question, answer="Đảng ủy sẽ gửi bản in chữ lớn về chi bộ.")

    def reports(self, commune: Organization) -> None:
        """The commune asks its cells for a monthly report: the month before last shows on-time,
        late and missing reports (and two reviewed), last month is still open for the persona cell."""
        from handbook.reports import periods
        from handbook.reports import queries as report_queries
        from handbook.reports import services as report_services

        today = timezone.localdate()
        last = periods.previous_period(periods.MONTHLY, periods.period_start(periods.MONTHLY, today))
        before = periods.previous_period(periods.MONTHLY, last)
        definition = report_services.definition_create(
            actor=None,
            issuer=commune,
            title="Báo cáo tình hình hoạt động chi bộ hằng tháng",
            description="Số buổi sinh hoạt, số đảng viên dự, đảng phí đã thu và những việc nổi bật trong tháng.",
            frequency=periods.MONTHLY,
            start_period=periods.previous_period(periods.MONTHLY, before),
            due_days=5,
            attachment="optional",
            fields_spec=[
                {"key": "so_buoi", "label": "Số buổi sinh hoạt", "type": "integer", "required": True},
                {"key": "so_dang_vien_du", "label": "Số đảng viên dự", "type": "integer", "required": True},
                {"key": "dang_phi", "label": "Đảng phí đã thu (đồng)", "type": "number", "required": False},
                {"key": "chuyen_de", "label": "Có sinh hoạt chuyên đề", "type": "yesno", "required": False},
                {"key": "ghi_chu", "label": "Việc nổi bật", "type": "text", "required": False},
            ],
        )
        cells = list(report_queries.obligated(definition).order_by("path"))
        now = timezone.now()

        def at(day: datetime.date) -> datetime.datetime:
            return min(now, timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0))))

        def data() -> dict:
            return {
                "so_buoi": 1,
                "so_dang_vien_du": self.rng.randint(8, 30),
                "dang_phi": self.rng.randint(20, 90) * 10_000,
                "chuyen_de": self.rng.random() < 0.5,
                "ghi_chu": "Sinh hoạt đúng định kỳ.",
            }

        for k, cell in enumerate(cells):
            if k == len(cells) - 1:
                continue  # missing, overdue
            late = k % 3 == 2
            deadline = definition.deadline(before)
            sub = report_services.submission_submit(
                actor=None,
                definition=definition,
                organization=cell,
                period=before,
                data=data(),
                now=at(deadline + datetime.timedelta(days=3 if late else -2)),
            )
            if k < 2:
                report_services.submission_review(actor=None, submission=sub, accept=True)
            if k > 0 and k % 2 == 0:
                report_services.submission_submit(
                    actor=None,
                    definition=definition,
                    organization=cell,
                    period=last,
                    data=data(),
                    now=at(periods.period_end(periods.MONTHLY, last) + datetime.timedelta(days=1)),
                )


def load_demo(*, password: str, members_target: int = 3000) -> list[Persona]:
    return DemoBuilder(password=password, members_target=members_target).build()
