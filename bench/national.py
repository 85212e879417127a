"""Load a national-scale synthetic dataset straight into PostgreSQL with COPY.

    python bench/national.py --database-url postgres://postgres@127.0.0.1:5432/handbook_bench --reset

Defaults: 34 provinces, ~3,300 communes (plus other grassroots committees), ~300,000 cells and
5,600,000 members, with the per-cell counters, one history version per node and bench logins.
Deterministic (fixed seed). The schema comes from Handbook's own migrations; secondary indexes and
foreign keys of the members table are dropped during the load and rebuilt afterwards.
"""

import argparse
import datetime
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handbook.core.names import FAMILY, FAMILY_WEIGHTS, GIVEN_F, GIVEN_M, MIDDLE_F, MIDDLE_M  # noqa: E402
from handbook.core.text import fold, sort_key, split_name  # noqa: E402
from handbook.members.reference import CCCD_PROVINCES  # noqa: E402

CODES = sorted(CCCD_PROVINCES)
# Text columns of the member sheet that the loader leaves empty (NOT NULL, no database default).
BLANK_TEXT = [
    "other_names", "birth_place", "hometown", "residence", "record_number", "introducer_1", "introducer_2",
    "general_education", "professional_qualification", "academic_degree", "political_theory",
    "foreign_languages", "it_skills", "military_rank", "economic_situation", "photo",
]  # fmt: skip
BLANKS = [""] * len(BLANK_TEXT)

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PASSWORD = "bench-password"  # noqa: S105


def step(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


def ensure_database(url: str, reset: bool) -> None:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "handbook.settings.base"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)


class Tree:
    """Generates the organisation rows (parents before children) and remembers the cells."""

    def __init__(self, rng: random.Random, provinces: int, communes: int, cells: int, types: dict[str, int]):
        self.rng = rng
        self.types = types
        self.rows: list[tuple] = []
        self.cells: list[tuple[int, int]] = []  # (org id, province index)
        self.next_id = 1
        self.provinces, self.communes_total, self.cells_total = provinces, communes, cells

    def add(self, name: str, type_code: str, parent: tuple | None, position: int) -> tuple:
        oid = self.next_id
        self.next_id += 1
        path = (parent[1] if parent else "") + step(position)
        row = [oid, path, len(path) // 4, 0, name, fold(name), self.types[type_code], parent[0] if parent else None]
        self.rows.append(row)
        if parent:
            parent[3] += 1
        return row

    def build(self) -> None:
        central = self.add("Ban Chấp hành Trung ương", "central", None, 1)
        communes_per_province = self.communes_total // self.provinces
        other_per_province = max(1, communes_per_province // 10)
        units = self.provinces * (communes_per_province + other_per_province)
        cells_per_unit = self.cells_total // units
        for p in range(self.provinces):
            province = self.add(f"Đảng bộ tỉnh {p + 1:02d}", "province", central, p + 1)
            pos = 0
            for c in range(communes_per_province):
                pos += 1
                commune = self.add(f"Đảng bộ xã {p + 1:02d}-{c + 1:03d}", "commune", province, pos)
                for k in range(cells_per_unit):
                    cell = self.add(f"Chi bộ {p + 1:02d}-{c + 1:03d}-{k + 1:03d}", "cell", commune, k + 1)
                    self.cells.append((cell[0], p))
            for g in range(other_per_province):
                pos += 1
                unit = self.add(f"Đảng bộ cơ quan {p + 1:02d}-{g + 1:02d}", "grassroots_other", province, pos)
                for k in range(cells_per_unit):
                    cell = self.add(f"Chi bộ cơ quan {p + 1:02d}-{g + 1:02d}-{k + 1:03d}", "cell", unit, k + 1)
                    self.cells.append((cell[0], p))


STATUSES = ["official"] * 84 + ["probationary"] * 8 + ["exempt"] * 5 + ["away"] * 3


def load(url: str, *, provinces: int, communes: int, cells: int, members: int, seed: int) -> dict:
    rng = random.Random(seed)
    started = time.monotonic()
    with psycopg.connect(url) as conn:
        types = dict(conn.execute("SELECT code, id FROM organizations_organizationtype").fetchall())
        tree = Tree(rng, provinces, communes, cells, types)
        tree.build()
        now = datetime.datetime.now(datetime.UTC)
        with conn.cursor() as cur:
            with cur.copy(
                "COPY organizations_organization (id, path, depth, numchild, name, search_name, type_id, parent_id,"
                " status, created_at) FROM STDIN"
            ) as copy:
                for row in tqdm(tree.rows, desc="organisations", unit="row", mininterval=2):
                    copy.write_row((*row, "active", now))
            with cur.copy(
                "COPY organizations_organizationversion (organization_id, name, type_id, parent_id, status,"
                " valid_from, reason) FROM STDIN"
            ) as copy:
                for row in tree.rows:
                    copy.write_row((row[0], row[4], row[6], row[7], "active", now, "created"))
            cur.execute("SELECT setval(pg_get_serial_sequence('organizations_organization', 'id'), %s)", [tree.next_id])
        conn.commit()

        # Members: drop secondary indexes and constraints, COPY, rebuild.
        with conn.cursor() as cur:
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'members_member'::regclass AND contype IN ('u', 'f', 'c')"
            )
            constraints = cur.fetchall()
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'members_member' "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'members_member'::regclass)"
            )
            indexes = cur.fetchall()
            for name, _ in constraints:
                cur.execute(f'ALTER TABLE members_member DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
        conn.commit()

        combos: dict[tuple, tuple] = {}
        counts: dict[tuple[int, str], int] = {}
        seq: dict[tuple, int] = {}
        cell_ids = tree.cells
        per_cell, extra = divmod(members, len(cell_ids))
        bar = tqdm(total=members, desc="members", unit="row", mininterval=2, unit_scale=True)
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY members_member (full_name, family_name, middle_name, given_name, search_name, sort_key, sex,"
                " date_of_birth, cccd, status, organization_id, created_at, updated_at, birth_province_code,"
                f" ethnicity, religion, phone, {', '.join(BLANK_TEXT)}) FROM STDIN"
            ) as copy,
        ):
            random_ = rng.random
            choice = rng.choice
            for index, (cell_id, province) in enumerate(cell_ids):
                n = per_cell + (1 if index < extra else 0)
                for _ in range(n):
                    sex = "M" if random_() < 0.62 else "F"
                    family = rng.choices(FAMILY, FAMILY_WEIGHTS)[0]
                    middle = choice(MIDDLE_M if sex == "M" else MIDDLE_F)
                    given = choice(GIVEN_M if sex == "M" else GIVEN_F)
                    key = (family, middle, given)
                    names = combos.get(key)
                    if names is None:
                        full = f"{family} {middle} {given}"
                        names = combos[key] = (full, *split_name(full), fold(full), sort_key(full))
                    year = 1935 + int(random_() * 70)
                    born = datetime.date(year, 1 + int(random_() * 12), 1 + int(random_() * 28))
                    century = (0 if year < 2000 else 2) + (0 if sex == "M" else 1)
                    skey = (province, century, year % 100)
                    serial = seq[skey] = seq.get(skey, 0) + 1
                    cccd = f"{CODES[province % len(CODES)]}{century}{year % 100:02d}{serial:06d}"
                    status = choice(STATUSES)
                    counts[(cell_id, status)] = counts.get((cell_id, status), 0) + 1
                    code = cccd[:3]
                    phone = f"09{index % 100:02d}{serial % 1_000_000:06d}" if random_() < 0.6 else ""
                    copy.write_row(
                        (*names, sex, born, cccd, status, cell_id, now, now, code, "Kinh", "Không", phone, *BLANKS)
                    )
                bar.update(n)
        bar.close()
        conn.commit()
        paths = {row[0]: row[1] for row in tree.rows}
        with (
            conn.cursor() as cur,
            cur.copy("COPY members_membercount (organization_id, path, status, count) FROM STDIN") as copy,
        ):
            for (cell_id, status), n in counts.items():
                copy.write_row((cell_id, paths[cell_id], status, n))
        conn.commit()

        rebuild = [f'ALTER TABLE members_member ADD CONSTRAINT "{n}" {d}' for n, d in constraints] + [
            d for _, d in indexes
        ]
        for sql in tqdm(rebuild, desc="indexes", unit="index"):
            conn.execute(sql)
            conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return {
        "organizations": len(tree.rows),
        "cells": len(tree.cells),
        "members": members,
        "seconds": round(time.monotonic() - started, 1),
    }


def create_logins(url: str) -> None:
    """Bench logins: an administrator on the root, staff on province 01 and on its first commune."""
    code = f"""
from handbook.accounts import services
from handbook.organizations.models import Organization
root = Organization.objects.get(depth=1)
province = Organization.objects.get(name="Đảng bộ tỉnh 01")
commune = Organization.objects.get(name="Đảng bộ xã 01-001")
for username, org, role in (("nation", root, "admin"), ("province", province, "committee_staff"),
                            ("commune", commune, "committee_staff")):
    user = services.user_create(actor=None, username=username, password="{PASSWORD}")
    services.role_grant(actor=None, user=user, organization=org, role=role)
"""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "handbook.settings.base"}
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/handbook_bench")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--communes", type=int, default=3300)
    parser.add_argument("--cells", type=int, default=300_000)
    parser.add_argument("--members", type=int, default=5_600_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = time.monotonic()
    ensure_database(args.database_url, args.reset)
    migrate(args.database_url)
    stats = load(
        args.database_url,
        provinces=args.provinces,
        communes=args.communes,
        cells=args.cells,
        members=args.members,
        seed=args.seed,
    )
    create_logins(args.database_url)
    stats["total_seconds"] = round(time.monotonic() - started, 1)
    print(stats)


if __name__ == "__main__":
    main()
