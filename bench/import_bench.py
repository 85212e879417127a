"""Time the import of a 50,000-row Excel file (issue 3: ≤ 2 minutes on this machine).

    python bench/import_bench.py                      # SQLite in a temporary folder
    python bench/import_bench.py --database-url postgres://postgres@127.0.0.1:5432/handbook_import

Loads the demo (small), writes an .xlsx of N valid rows for one cell, runs the import job
in-process (the same code the background worker runs) and reports the time of each phase.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    os.environ["HANDBOOK_DATA_DIR"] = tempfile.mkdtemp()
    os.environ["DJANGO_SETTINGS_MODULE"] = "handbook.settings.base"
    if args.database_url:
        from urllib.parse import urlparse

        import psycopg

        name = urlparse(args.database_url).path.lstrip("/")
        admin = args.database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from openpyxl import Workbook

    from handbook.accounts.models import User
    from handbook.members import imports
    from handbook.members.models import ImportJob, Member
    from handbook.organizations.models import Organization

    call_command("demo", "--no-serve", "--password", "bench-pass-1", "--members", "200", verbosity=0)
    user = User.objects.get(username="xa")
    cell = Organization.objects.filter(name="Chi bộ thôn Đông").order_by("path").first()
    started = time.monotonic()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Đảng viên")
    sheet.append([label for _f, label in imports.COLUMNS])
    for i in range(args.rows):
        sex = "Nam" if i % 3 else "Nữ"
        digit = "0" if sex == "Nam" else "1"
        sheet.append(
            [
                cell.pk,
                f"Nguyễn Văn Nhập {i}",
                sex,
                "17/05/1980",
                f"037{digit}80{500000 + i:06d}",
                "Chính thức",
                f"09{i:08d}",
                "Yên Mô",
                "Yên Mô",
                "Thôn Đông",
                "Kinh",
                "Không",
                "03/02/2005",
                "03/02/2006",
                "",
                "",
                "12/12",
                "Sơ cấp",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    made = time.monotonic() - started
    before = Member.objects.count()
    job = ImportJob.objects.create(user=user, filename="bench.xlsx", content=buffer.getvalue(), mode="all")
    started = time.monotonic()
    job = imports.run(job.pk)
    elapsed = time.monotonic() - started
    assert job.state == "done", job.errors[:5]
    assert Member.objects.count() - before == args.rows
    print(
        f"{connection.vendor}: {args.rows} rows ({len(buffer.getvalue()) / 1e6:.1f} MB .xlsx, made in {made:.1f} s) "
        f"imported in {elapsed:.1f} s; state {job.state}"
    )


if __name__ == "__main__":
    main()
