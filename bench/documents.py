"""Documents benchmark on the national dataset (run bench/national.py first).

    python bench/documents.py --database-url postgres://postgres@127.0.0.1:5432/handbook_bench

Seeds, once: documents at every level (national, per province, per grassroots committee, per cell
of one commune) with their audience rows; a login for every member of province 01 and read
receipts (60%, half of them confirmed) for one province-wide document. Then, against granian on
127.0.0.1 with the bench profile, in the same run as the one-indexed-query baseline:
- publishing a document to the whole nation through the API (goal p95 <= 100 ms);
- a member's inbox and unread count (goal p95 <= 30 ms);
- the sender's read-rate report for the province, per commune (goal <= 500 ms).
Bounded by --requests and --seconds per measure.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import Client, measure, percentile, start_server, token_for  # noqa: E402
from handbook.organizations.paths import next_path  # noqa: E402

SEED_MARK = "bench-seed"


def seed(conn) -> None:
    if conn.execute("SELECT 1 FROM documents_document WHERE number = %s", [SEED_MARK]).fetchone():
        print("seed: already there", flush=True)
        return
    started = time.monotonic()
    insert = """
        INSERT INTO documents_document (issuer_id, issuer_path, number, title, type, issued_on, summary, body,
            requires_ack, study_mode, quiz_pass_mark, state, publish_at, withdrawn_reason, version, search_text,
            created_at, updated_at)
        SELECT o.id, o.path, %(number)s, %(title)s || ' ' || o.name || ' #' || g, 'notice', current_date,
            'Tóm tắt', 'Nội dung văn bản', g %% 3 = 0, '', 0, 'published', now() - g * interval '1 hour', '', 1,
            %(title)s || ' ' || o.name, now(), now()
        FROM organizations_organization o, generate_series(1, %(each)s) g
        WHERE {where}
    """
    levels = [
        ("o.depth = 1", 100, "Chỉ thị trung ương"),
        ("o.depth = 2", 20, "Nghị quyết tỉnh"),
        ("o.depth = 3", 3, "Thông báo đảng ủy"),
        ("o.parent_id = (SELECT id FROM organizations_organization WHERE name = 'Đảng bộ xã 01-001')", 5, "Chi bộ"),
    ]
    for where, each, title in levels:
        conn.execute(
            insert.format(where=where), {"number": SEED_MARK if each == 100 else "", "title": title, "each": each}
        )
    conn.execute(
        "INSERT INTO documents_audience (document_id, organization_id, path, role) "
        "SELECT d.id, d.issuer_id, d.issuer_path, '' FROM documents_document d "
        "WHERE NOT EXISTS (SELECT 1 FROM documents_audience a WHERE a.document_id = d.id)"
    )
    province = conn.execute("SELECT path FROM organizations_organization WHERE name = 'Đảng bộ tỉnh 01'").fetchone()[0]
    conn.execute(
        """INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,
               is_active, date_joined, member_id)
           SELECT '!', false, 'b' || m.id, '', '', '', false, true, now(), m.id
           FROM members_member m JOIN organizations_organization o ON o.id = m.organization_id
           WHERE o.path >= %s AND o.path < %s ON CONFLICT DO NOTHING""",
        [province, next_path(province)],
    )
    report_doc = conn.execute(
        "SELECT id FROM documents_document WHERE issuer_path = %s ORDER BY id LIMIT 1", [province]
    ).fetchone()[0]
    conn.execute(
        """INSERT INTO documents_receipt (document_id, user_id, member_id, cell_path, read_at, acknowledged_at)
           SELECT %s, u.id, m.id, o.path, now(), CASE WHEN m.id %% 2 = 0 THEN now() END
           FROM accounts_user u JOIN members_member m ON m.id = u.member_id
           JOIN organizations_organization o ON o.id = m.organization_id
           WHERE o.path >= %s AND o.path < %s AND m.id %% 10 < 6""",
        [report_doc, province, next_path(province)],
    )
    conn.execute("ANALYZE")
    print(f"seed: {time.monotonic() - started:.1f} s", flush=True)


def member_token(url: str, member_cell_commune: str) -> tuple[str, int]:
    """An API token for a member of a cell of the given commune (made directly, no password)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handbook.settings.base")
    import django

    django.setup()
    from handbook.accounts import services as accounts
    from handbook.accounts.models import User

    user = (
        User.objects.filter(member__organization__parent__name=member_cell_commune, member__status="official")
        .order_by("pk")
        .first()
    )
    _token, key = accounts.api_token_create(actor=None, user=user)
    return key, user.pk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/handbook_bench")
    parser.add_argument("--port", type=int, default=8126)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--publishes", type=int, default=30)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()

    with psycopg.connect(args.database_url, autocommit=True) as conn:
        seed(conn)
        ids = dict(
            conn.execute(
                "SELECT name, id FROM organizations_organization WHERE depth = 1 OR name IN "
                "('Đảng bộ tỉnh 01', 'Đảng bộ xã 01-001')"
            ).fetchall()
        )
        root_id = conn.execute("SELECT id FROM organizations_organization WHERE depth = 1").fetchone()[0]
        province = ids["Đảng bộ tỉnh 01"]
        province_path = conn.execute(
            "SELECT path FROM organizations_organization WHERE id = %s", [province]
        ).fetchone()[0]
        report_doc = conn.execute(
            "SELECT id FROM documents_document WHERE issuer_path = %s ORDER BY id LIMIT 1", [province_path]
        ).fetchone()[0]
        figures = conn.execute(
            "SELECT (SELECT count(*) FROM documents_document), (SELECT count(*) FROM documents_receipt), "
            "(SELECT count(*) FROM members_member), (SELECT count(*) FROM accounts_user)"
        ).fetchone()
    print(f"documents {figures[0]}, receipts {figures[1]}, members {figures[2]}, users {figures[3]}", flush=True)
    member_key, member_user = member_token(args.database_url, "Đảng bộ xã 01-001")
    server = start_server(args.database_url, args.port, args.workers)
    results = []
    try:
        tokens = {"nation": token_for(args.port, "nation"), "province": token_for(args.port, "province")}
        cases = [
            ("baseline: JSON view, one indexed query", None, f"/bench/one-query?id={province}", None),
            ("member inbox (first page)", member_key, "/api/v1/documents?limit=20", 30),
            ("member unread count", member_key, "/api/v1/documents/unread-count", 30),
            ("read-rate report of a province document, per commune", tokens["province"],
             f"/api/v1/documents/{report_doc}/stats", 500),
        ]  # fmt: skip
        for label, token, path, goal in cases:
            r = measure(args.port, token, path, requests=args.requests, seconds=args.seconds, threads=args.threads)
            r.update(label=label, goal_p95_ms=goal)
            results.append(r)
            print(f"{label}: p95 {r['p95_ms']} ms, {r['throughput_rps']} req/s", flush=True)
        # Publishing to the whole nation: draft (not timed), then the publish call (timed).
        nation = Client(args.port, tokens["nation"])
        publish_ms = []
        for i in range(args.publishes):
            status, data, _ = nation.request(
                "POST",
                "/api/v1/documents",
                {"issuer_id": root_id, "title": f"Toàn quốc {i}", "issued_on": "2026-11-01"},
            )
            if status != 201:
                raise RuntimeError(f"draft failed: {status} {data[:300]!r}")
            document_id = json.loads(data)["id"]
            status, data, ms = nation.request("POST", f"/api/v1/documents/{document_id}/publish", {})
            if status != 200:
                raise RuntimeError(f"publish failed: {status} {data[:300]!r}")
            publish_ms.append(ms)
        results.append(
            {
                "label": "publish a document to the whole nation (API)",
                "latency_requests": len(publish_ms),
                "p50_ms": round(percentile(publish_ms, 50), 2),
                "p95_ms": round(percentile(publish_ms, 95), 2),
                "max_ms": round(max(publish_ms), 2),
                "goal_p95_ms": 100,
            }
        )
        print(f"publish to the nation: p95 {results[-1]['p95_ms']} ms", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    base = results[0]
    for r in results[1:]:
        if "throughput_rps" in r:
            r["throughput_ratio_to_baseline"] = round(r["throughput_rps"] / base["throughput_rps"], 3)
        r["met"] = r["p95_ms"] <= r["goal_p95_ms"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    report = {
        "when": stamp,
        "machine": os.uname().nodename,
        "cpus": os.cpu_count(),
        "figures": figures,
        "results": results,
    }
    (out / f"documents-{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    met = [r["met"] for r in results if "met" in r]
    print(f"goals met: {sum(met)}/{len(met)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
