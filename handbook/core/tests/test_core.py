import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


def test_healthz_reports_the_database(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_answers_503_when_the_database_fails(db, monkeypatch):
    from handbook.core import views

    class Broken:
        def cursor(self):
            raise ConnectionError("down")

    monkeypatch.setattr(views, "connection", Broken())
    assert Client().get("/healthz").status_code == 503


def test_pages_with_personal_data_are_not_cached(client_for, w):
    response = client_for("member").get("/")
    assert response["Cache-Control"] == "no-store"
    assert client_for("member").get("/api/v1/me")["Cache-Control"] == "no-store"


def test_pages_speak_vietnamese_by_default_and_english_on_request(client_for, w):
    client = client_for("member")
    assert "Xin chào" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Hello" in client.get("/").content.decode()


def test_the_demo_command_loads_a_province_and_prints_every_login(tmp_path):
    env = {**os.environ, "HANDBOOK_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "handbook.settings.base"}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "manage.py", "demo", "--no-serve", "--password", "demo-pass-1", "--members", "400"]
    first = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    for login in ("admin", "tinh", "lanhdao", "xa", "bithu", "dangvien", "caobang"):
        assert f"\n{login} " in first.stdout
    assert "demo-pass-1" in first.stdout
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "already loaded" in again.stdout
    check = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from handbook.members.models import Member; from django.contrib.auth import authenticate;"
            "print(Member.objects.count(), Member.objects.filter(full_name__regex='[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùý]').count() > 100,"
            "authenticate(username='dangvien', password='demo-pass-1') is not None)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    count, has_diacritics, can_login = check.stdout.split()[-3:]
    assert 300 <= int(count) <= 600 and has_diacritics == "True" and can_login == "True"


def test_pages_stay_vietnamese_for_an_english_browser_but_the_api_follows_accept_language(client_for, w):
    client = client_for("member")
    assert "Xin chào" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    bad = {"username": "member", "password": "wrong"}
    english = Client().post("/api/v1/auth/token", bad, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "The username or password is not correct."
    vietnamese = Client().post("/api/v1/auth/token", bad, content_type="application/json")
    assert vietnamese.json()["detail"] == "Tên đăng nhập hoặc mật khẩu không đúng."


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_redis_url_moves_cache_and_sessions_to_redis(tmp_path):
    import pytest

    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/3", "HANDBOOK_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    code = (
        "from django.conf import settings; from django.core.cache import cache; import uuid;"
        "k = uuid.uuid4().hex; cache.set(k, 'ok', 30);"
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE, cache.get(k))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split()[-3:] == [
        "handbook.core.cache.RedisCache",  # Django's backend, one client per pool
        "django.contrib.sessions.backends.cache",
        "ok",
    ], result.stderr


def test_out_of_scope_answers_exactly_like_does_not_exist(client_for, w):
    client = client_for("outsider")
    for hidden, missing in [
        (f"/api/v1/organizations/{w.a1.pk}", "/api/v1/organizations/987654"),
        (f"/api/v1/members/{w.own_member.pk}", "/api/v1/members/987654"),
        (f"/org/{w.a1.pk}/", "/org/987654/"),
        (f"/members/{w.own_member.pk}/", "/members/987654/"),
    ]:
        a, b = client.get(hidden), client.get(missing)
        assert (a.status_code, _normalise(a)) == (b.status_code, _normalise(b)) and a.status_code == 404, hidden


def _normalise(response) -> str:
    """The page minus what differs on every request: the CSRF token and the current path."""
    import re

    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)
    return re.sub(r'name="next" type="hidden" value="[^"]*"', "", text)


def test_old_idempotency_records_are_pruned_and_recent_ones_kept(w):
    import datetime
    import io

    import pytest
    from django.core.management import CommandError, call_command
    from django.utils import timezone

    from handbook.core.models import IdempotencyRecord

    user = w.users["member"]
    now = timezone.now()
    for key, age in (("old-1", 30), ("old-2", 25), ("recent", 23), ("new", 0)):
        record = IdempotencyRecord.objects.create(user=user, key=key, request_hash="x", status=200, response={})
        IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=now - datetime.timedelta(hours=age))
    out = io.StringIO()
    call_command("prune_idempotency_records", stdout=out)
    assert "deleted: 2" in out.getvalue()
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"recent", "new"}
    call_command("prune_idempotency_records", "--hours", "1", stdout=out)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_idempotency_records", "--hours", "0")


@pytest.mark.django_db(transaction=True)
def test_the_migration_forgets_ballot_records_written_with_the_choice_in_their_digest():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from handbook.accounts.models import User

    user = User.objects.create(username="voter")
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0002_redundant_indexes")])
    Record = executor.loader.project_state([("core", "0002_redundant_indexes")]).apps.get_model(
        "core", "IdempotencyRecord"
    )
    Record.objects.create(
        user_id=user.pk, key="v", request_hash="h1", status=200, response={"motion_id": 1, "receipt": None}
    )
    Record.objects.create(
        user_id=user.pk, key="c", request_hash="h2", status=200, response={"meeting_id": 1, "state": "present"}
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0003_forget_ballot_digests")])
    from handbook.core.models import IdempotencyRecord

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["c"]
