import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from handbook.audit.models import AuditEvent, EventType
from handbook.members import counts, imports
from handbook.members.models import ImportJob, Member
from handbook.testing import next_cccd

HEADER = [label for _field, label in imports.COLUMNS[:6]]  # Mã chi bộ … Tình trạng


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_rows(cell, n):
    return [[cell.pk, f"Nguyễn Văn Nhập {i}", "Nam", "17/05/1980", next_cccd("M"), "Chính thức"] for i in range(n)]


def upload(client, content, name="members.xlsx", mode="all"):
    return client.post("/members/import/", {"file": SimpleUploadedFile(name, content), "mode": mode})


def test_the_template_has_the_columns_the_importer_reads(client_for, w):
    response = client_for("secretary").get("/members/import/template.xlsx")
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(header) == [label for _field, label in imports.COLUMNS]


def test_one_bad_row_among_thousands_imports_nothing(client_for, w):
    rows = good_rows(w.a1a, 3000)
    rows.insert(1700, [w.a1a.pk, "Trần Thị Sai", "Nữ", "31/02/1990", next_cccd("F"), "Chính thức"])
    before = (Member.objects.count(), AuditEvent.objects.count(), counts.subtree_member_count(w.a1a))
    response = upload(client_for("secretary"), xlsx(rows))
    job = ImportJob.objects.get()
    assert response["Location"] == f"/members/import/{job.pk}/"
    assert job.state == "failed" and job.total_rows == 3001 and job.imported_rows == 0
    assert [(e["row"], e["column"]) for e in job.errors] == [(1702, "Ngày sinh")]  # the header is row 1
    assert (Member.objects.count(), AuditEvent.objects.count(), counts.subtree_member_count(w.a1a)) == before
    page = client_for("secretary").get(f"/members/import/{job.pk}/")
    assert "1702" in page.content.decode()


def test_a_clean_file_is_imported_with_counters_history_and_audit(client_for, w):
    rows = good_rows(w.a1a, 250)
    upload(client_for("secretary"), xlsx(rows))
    job = ImportJob.objects.get()
    assert job.state == "done" and job.imported_rows == 250
    assert counts.subtree_member_count(w.a1a) == 254
    assert AuditEvent.objects.filter(event_type=EventType.MEMBER_CREATED, actor=w.users["secretary"]).count() == 250
    assert AuditEvent.objects.filter(event_type=EventType.MEMBERS_IMPORTED).count() == 1
    assert Member.objects.get(full_name="Nguyễn Văn Nhập 7").search_name == "nguyen van nhap 7"


def test_valid_only_imports_the_good_rows_and_reports_the_others(client_for, w):
    rows = good_rows(w.a1a, 5)
    duplicate = rows[0][4]
    rows += [
        [w.a1a.pk, "Lê Văn Trùng", "Nam", "17/05/1980", duplicate, "Chính thức"],  # same CCCD twice in the file
        [w.b1a.pk, "Hà Văn Ngoài", "Nam", "17/05/1980", next_cccd("M"), "Chính thức"],  # outside the scope
        [w.a1a.pk, "Đỗ Văn Cũ", "Nam", "17/05/1980", w.other_member.cccd, ""],  # already in the database
        [w.a1.pk, "Vũ Văn Xã", "Nữ", "17/05/1980", next_cccd("M"), ""],  # not a cell; sex disagrees with CCCD
    ]
    client = client_for("commune")
    upload(client, xlsx(rows), mode="valid")
    job = ImportJob.objects.get()
    assert job.state == "done" and job.imported_rows == 4  # rows 2 and 7 share a CCCD: both refused
    problems = {(e["row"], e["column"]) for e in job.errors}
    assert {
        (2, "Số CCCD"),
        (7, "Số CCCD"),
        (8, "Mã chi bộ"),
        (9, "Số CCCD"),
        (10, "Mã chi bộ"),
        (10, "Số CCCD"),
    } <= problems
    report = client.get(f"/members/import/{job.pk}/errors.csv").content.decode("utf-8").lstrip("\ufeff")
    assert len(list(csv.reader(io.StringIO(report)))) == len(job.errors) + 1


def test_a_csv_with_english_headers_and_labels_is_read(client_for, w):
    text = "organization_id,full_name,sex,date_of_birth,cccd,status\n"
    text += f"{w.a1a.pk},Phạm Thị Hoa,Female,1980-05-17,{next_cccd('F')},Probationary\n"
    upload(client_for("secretary"), text.encode("utf-8"), name="members.csv")
    job = ImportJob.objects.get()
    assert job.state == "done", job.errors
    assert Member.objects.get(full_name="Phạm Thị Hoa").status == "probationary"


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(client_for, w):
    response = upload(client_for("secretary"), b"%PDF-1.4", name="members.pdf")
    assert response.status_code == 200 and "xlsx" in response.context["error"]
    upload(client_for("secretary"), b"not a zip", name="members.xlsx")
    assert ImportJob.objects.get().state == "crashed"


def test_an_unknown_column_is_reported_and_nothing_read(client_for, w):
    text = "Mã chi bộ,Họ và tên,Giới tính,Ngày sinh,Số CCCD,Sở thích\n"
    upload(client_for("secretary"), text.encode(), name="m.csv")
    job = ImportJob.objects.get()
    assert job.state == "failed" and job.errors[0]["column"] == "Sở thích"


def test_the_api_imports_a_file_and_reports_progress(client_for, w):
    client = client_for("secretary")
    content = xlsx(good_rows(w.a1a, 3))
    response = client.post("/api/v1/imports", {"file": SimpleUploadedFile("m.xlsx", content), "mode": "all"})
    assert response.status_code == 202
    job = client.get(f"/api/v1/imports/{response.json()['id']}").json()
    assert (job["state"], job["imported_rows"], job["processed_rows"], job["total_rows"]) == ("done", 3, 3, 3)
    assert client_for("commune").get(f"/api/v1/imports/{job['id']}").status_code == 404  # another user's job
