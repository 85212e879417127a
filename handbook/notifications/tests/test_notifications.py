"""Notifications: exactly once per event and user, deliveries by email and push with retries,
preferences, the daily digest, and each user seeing only their own."""

import datetime
import json
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from handbook.accounts.models import User
from handbook.notifications import services, tasks
from handbook.notifications.models import Delivery, DigestRun, Notification, Preferences, PushSubscription
from handbook.notifications.services import notify


def _title(params: dict) -> str:
    return f"{gettext('Notifications')}: {params['name']}"


def _body(params: dict) -> str:
    return gettext("Open in Handbook:") + " " + params["name"]


services.register_kind("test_event", title=_title, body=_body, label="Test event")
services.register_kind("test_other", title=lambda p: "other")
services.register_recipients(
    "test_users_from",
    lambda *, first_id: User.objects.filter(pk__gte=first_id, is_active=True).values_list("pk", flat=True),
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """notify() inside a transaction, its on-commit fan-out run (the test settings run tasks inline)."""

    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                notify(*args, **kwargs)

    return run


def _user(name: str, email: str | None = None) -> User:
    return User.objects.create(username=name, email=f"{name}@example.org" if email is None else email)


def _prefs(user, **values) -> Preferences:
    return Preferences.objects.create(user=user, **values)


# Exactly once ---------------------------------------------------------------------------------


def test_the_same_event_twice_gives_one_notification_and_one_email_per_user(send, w):
    users = [w.users["member"].pk, w.users["secretary"].pk]
    send("test_event", "test-event:1:published", users=users, params={"name": "A"}, url="/meetings/1/")
    send("test_event", "test-event:1:published", users=users, params={"name": "A"}, url="/meetings/1/")
    assert Notification.objects.filter(event_key="test-event:1:published").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.org", "secretary@example.org"]
    assert (
        Delivery.objects.filter(notification__event_key="test-event:1:published", status=Delivery.Status.SENT).count()
        == 2
    )


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(django_capture_on_commit_callbacks, w):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify("test_event", "rolled-back", users=[w.users["member"].pk], params={"name": "x"})
            raise RuntimeError
    assert callbacks == []
    assert not Notification.objects.filter(event_key="rolled-back").exists()


def test_running_a_delivery_twice_or_while_another_worker_holds_it_sends_one_email(w):
    user = w.users["member"]
    pending = tasks.create_batch(kind="test_event", event_key="e1", params={"name": "x"}, url="", user_ids=[user.pk])
    assert len(pending) == 1
    assert tasks.send_one(pending[0]) == "sent"
    assert tasks.send_one(pending[0]) == "not-claimed"
    assert len(mail.outbox) == 1

    other = tasks.create_batch(kind="test_event", event_key="e2", params={"name": "y"}, url="", user_ids=[user.pk])
    # Another worker claimed it first (its conditional UPDATE won): this one must not send.
    Delivery.objects.filter(pk=other[0]).update(status=Delivery.Status.SENDING, claimed_at=timezone.now())
    assert tasks.send_one(other[0]) == "not-claimed"
    assert len(mail.outbox) == 1


def test_a_failing_smtp_send_is_retried_later_and_sent_exactly_once(w, monkeypatch):
    user = w.users["member"]
    [pk] = tasks.create_batch(kind="test_event", event_key="smtp", params={"name": "x"}, url="", user_ids=[user.pk])
    real_send = mail.backends.locmem.EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionRefusedError("SMTP server down")
        return real_send(self, messages)

    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", flaky)
    assert tasks.deliver.call([pk]) == {"retry": 1}
    delivery = Delivery.objects.get(pk=pk)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert "SMTP server down" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    assert tasks.retry_due(inline=True)["due"] == 0  # not yet time
    assert mail.outbox == []

    Delivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    call_command("retry_notifications", "--inline", stdout=mock.MagicMock())
    tasks.retry_due(inline=True)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Delivery.Status.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_a_delivery_gives_up_after_the_last_attempt(w, monkeypatch):
    [pk] = tasks.create_batch(
        kind="test_event", event_key="down", params={"name": "x"}, url="", user_ids=[w.users["member"].pk]
    )
    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", mock.Mock(side_effect=OSError("down")))
    for _attempt in range(tasks.MAX_ATTEMPTS):
        Delivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
        tasks.send_one(pk)
    delivery = Delivery.objects.get(pk=pk)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, tasks.MAX_ATTEMPTS)
    Delivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
    assert tasks.send_one(pk) == "not-claimed"


def test_a_claim_left_by_a_dead_worker_is_given_up_not_sent_again(w):
    [pk] = tasks.create_batch(
        kind="test_event", event_key="stale", params={"name": "x"}, url="", user_ids=[w.users["member"].pk]
    )
    Delivery.objects.filter(pk=pk).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now() - datetime.timedelta(hours=1), attempts=1
    )
    assert tasks.retry_due(inline=True)["stale"] == 1
    assert Delivery.objects.get(pk=pk).status == Delivery.Status.FAILED
    assert mail.outbox == []


def test_the_fan_out_over_an_audience_larger_than_a_batch_reaches_everyone_once(send, monkeypatch):
    first = User.objects.order_by("-pk").first().pk + 1
    User.objects.bulk_create([User(username=f"bulk{i}", email=f"bulk{i}@example.org") for i in range(1005)])
    batches = []
    real = tasks.create_batch
    monkeypatch.setattr(tasks, "create_batch", lambda **kw: batches.append(len(kw["user_ids"])) or real(**kw))
    send("test_event", "directive:9", recipients=("test_users_from", {"first_id": first}), params={"name": "Chỉ thị"})
    assert batches == [1000, 5]
    assert Notification.objects.filter(event_key="directive:9").count() == 1005
    assert len(mail.outbox) == 1005
    send("test_event", "directive:9", recipients=("test_users_from", {"first_id": first}), params={"name": "Chỉ thị"})
    assert Notification.objects.filter(event_key="directive:9").count() == 1005
    assert len(mail.outbox) == 1005


def test_notify_refuses_unknown_kinds_and_audiences_in_the_caller(w):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify("nope", "k", users=[1])
    with pytest.raises(ValueError, match="unknown recipients"):
        notify("test_event", "k", recipients=("nobody", {}))
    with pytest.raises(ValueError, match="exactly one"):
        notify("test_event", "k")


# Preferences ----------------------------------------------------------------------------------


def test_preferences_decide_the_channels_but_the_app_always_shows_it(send):
    default = _user("default")
    no_email = _user("noemail", email="")
    email_off = _user("emailoff")
    _prefs(email_off, email_enabled=False)
    digest = _user("digest")
    _prefs(digest, digest_daily=True)
    muted = _user("muted")
    _prefs(muted, muted_kinds=["test_event"])
    everyone = [default, no_email, email_off, digest, muted]
    send("test_event", "prefs", users=[u.pk for u in everyone], params={"name": "x"})
    assert Notification.objects.filter(event_key="prefs").count() == 5
    assert [m.to for m in mail.outbox] == [["default@example.org"]]


def test_turning_email_off_stops_what_is_still_queued(w):
    user = w.users["member"]
    [pk] = tasks.create_batch(kind="test_event", event_key="q", params={"name": "x"}, url="", user_ids=[user.pk])
    services.preferences_update(actor=user, email_enabled=False)
    assert tasks.send_one(pk) == "skipped"
    assert mail.outbox == []


def test_each_user_reads_the_email_in_their_own_language(send):
    vi = _user("vietnamese")
    en = _user("english")
    _prefs(en, language="en")
    send("test_event", "lang", users=[vi.pk, en.pk], params={"name": "Họp"}, url="/meetings/5/")
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {"vietnamese@example.org": "Thông báo: Họp", "english@example.org": "Notifications: Họp"}
    body = next(m.body for m in mail.outbox if m.to == ["vietnamese@example.org"])
    note = Notification.objects.get(event_key="lang", user=vi)
    assert f"https://handbook.test/notifications/{note.pk}/" in body


def test_preferences_are_changed_only_by_their_owner_and_audited(w):
    from handbook.audit.models import AuditEvent, EventType

    user = w.users["member"]
    services.preferences_update(actor=user, digest_daily=True, language="en", muted_kinds=["test_other"])
    prefs = Preferences.objects.get(user=user)
    assert (prefs.digest_daily, prefs.language, prefs.muted_kinds) == (True, "en", ["test_other"])
    event = AuditEvent.objects.get(event_type=EventType.NOTIFICATION_PREFERENCES_CHANGED)
    assert event.before["digest_daily"] is False and event.after["digest_daily"] is True
    from handbook.core.errors import RuleViolation

    with pytest.raises(RuleViolation):
        services.preferences_update(actor=user, muted_kinds=["no_such_kind"])


# The daily digest -----------------------------------------------------------------------------


def test_the_digest_is_sent_once_a_day_with_what_is_new_since_the_last_one(send):
    user = _user("daily")
    _prefs(user, digest_daily=True)
    send("test_event", "d1", users=[user.pk], params={"name": "Một"})
    send("test_event", "d2", users=[user.pk], params={"name": "Hai"})
    assert mail.outbox == []  # no separate emails for digest readers
    now = timezone.now() + datetime.timedelta(minutes=1)
    assert tasks.send_digests(now=now, inline=True) >= 1
    assert tasks.send_digests(now=now + datetime.timedelta(hours=1), inline=True) >= 1
    assert len(mail.outbox) == 1
    assert "Thông báo: Một" in mail.outbox[0].body and "Thông báo: Hai" in mail.outbox[0].body
    assert DigestRun.objects.get(user=user).count == 2

    Notification.objects.filter(event_key__in=["d1", "d2"]).update(created_at=now - datetime.timedelta(hours=2))
    send("test_event", "d3", users=[user.pk], params={"name": "Ba"})
    Notification.objects.filter(event_key="d3").update(created_at=now + datetime.timedelta(hours=5))
    tomorrow = now + datetime.timedelta(days=1)
    tasks.send_digests(now=tomorrow, inline=True)
    assert len(mail.outbox) == 2
    assert "Ba" in mail.outbox[1].body and "Một" not in mail.outbox[1].body


def test_no_digest_email_when_nothing_happened(w):
    user = _user("quiet")
    _prefs(user, digest_daily=True)
    call_command("send_digests", "--inline", stdout=mock.MagicMock())
    assert mail.outbox == []
    assert DigestRun.objects.get(user=user).status == DigestRun.Status.EMPTY


def test_a_failed_digest_is_retried_and_sent_once(send, monkeypatch):
    user = _user("retrydigest")
    _prefs(user, digest_daily=True)
    send("test_event", "rd", users=[user.pk], params={"name": "x"})
    real_send = mail.backends.locmem.EmailBackend.send_messages
    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", mock.Mock(side_effect=OSError("down")))
    now = timezone.now() + datetime.timedelta(minutes=1)
    tasks.send_digests(now=now, inline=True)
    assert DigestRun.objects.get(user=user).status == DigestRun.Status.FAILED
    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", real_send)
    tasks.retry_due(inline=True)
    tasks.retry_due(inline=True)
    tasks.send_digests(now=now, inline=True)
    run = DigestRun.objects.get(user=user)
    assert (run.status, run.attempts) == (DigestRun.Status.SENT, 2)
    assert len(mail.outbox) == 1


# Web push -------------------------------------------------------------------------------------


def _subscribe(user, n=1):
    return services.push_subscription_register(
        actor=user, endpoint=f"https://push.example.net/send/{user.pk}-{n}", p256dh="BKey" * 10, auth="authsecret"
    )


def _push_error(status):
    from pywebpush import WebPushException

    return WebPushException(f"Push failed: {status}", response=mock.Mock(status_code=status, text=""))


def test_push_reaches_each_device_with_the_text_in_the_users_language(send, w):
    user = w.users["member"]
    _subscribe(user, 1)
    _subscribe(user, 2)
    with mock.patch("pywebpush.webpush") as webpush:
        send("test_event", "push1", users=[user.pk], params={"name": "Họp"}, url="/meetings/1/")
    assert webpush.call_count == 2
    payload = json.loads(webpush.call_args.kwargs["data"])
    assert payload["title"] == "Thông báo: Họp"
    assert payload["url"].startswith("https://handbook.test/notifications/")
    assert webpush.call_args.kwargs["vapid_claims"]["sub"] == "mailto:test@example.org"
    assert Delivery.objects.get(channel="push", notification__event_key="push1").status == Delivery.Status.SENT


def test_a_410_from_the_push_service_removes_the_subscription(send, w):
    user = w.users["member"]
    _subscribe(user)
    with mock.patch("pywebpush.webpush", side_effect=_push_error(410)):
        send("test_event", "gone", users=[user.pk], params={"name": "x"})
    assert not PushSubscription.objects.filter(user=user).exists()
    assert Delivery.objects.get(channel="push", notification__event_key="gone").status == Delivery.Status.SKIPPED


def test_a_push_failing_on_one_device_is_retried_there_only(send, w):
    user = w.users["member"]
    first = _subscribe(user, 1)
    _subscribe(user, 2)
    reached = []

    def flaky(*, subscription_info, **kwargs):
        if subscription_info["endpoint"].endswith("-2") and len(reached) < 2:
            reached.append("fail")
            raise _push_error(503)
        reached.append(subscription_info["endpoint"])

    with mock.patch("pywebpush.webpush", side_effect=flaky):
        send("test_event", "partial", users=[user.pk], params={"name": "x"})
        delivery = Delivery.objects.get(channel="push", notification__event_key="partial")
        assert delivery.status == Delivery.Status.PENDING and delivery.done_subscriptions == [first.pk]
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        tasks.retry_due(inline=True)
    assert reached.count(first.endpoint) == 1
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT


def test_no_push_without_vapid_keys(send, w, settings):
    user = w.users["member"]
    _subscribe(user)
    settings.VAPID_PRIVATE_KEY = ""
    with mock.patch("pywebpush.webpush") as webpush:
        send("test_event", "nokeys", users=[user.pk], params={"name": "x"})
    webpush.assert_not_called()
    assert not Delivery.objects.filter(channel="push").exists()


def test_generate_vapid_keys_prints_a_pair_pywebpush_can_sign_with():
    import io

    from py_vapid import Vapid

    out = io.StringIO()
    call_command("generate_vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    assert len(lines["VAPID_PUBLIC_KEY"]) == 87  # 65 bytes, base64url
    vapid = Vapid.from_string(lines["VAPID_PRIVATE_KEY"])
    assert "Authorization" in vapid.sign({"sub": "mailto:a@example.org", "aud": "https://push.example.net"})


# Pages and API: one's own notifications only --------------------------------------------------


def _note(user, key="n", **extra) -> Notification:
    return Notification.objects.create(user=user, kind="test_event", event_key=key, params={"name": key}, **extra)


def test_the_list_shows_my_notifications_in_my_language_and_the_header_counts_them(client_for, w):
    _note(w.users["member"], "mine", url="/meetings/")
    _note(w.users["secretary"], "theirs")
    response = client_for("member").get("/notifications/")
    text = response.content.decode()
    assert "Thông báo: mine" in text and "theirs" not in text
    assert '<span class="count"' in text


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_for, w):
    note = _note(w.users["member"], url="/meetings/")
    response = client_for("member").get(f"/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/meetings/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client_for("secretary").get(f"/notifications/{note.pk}/").status_code == 404


def test_an_outside_link_is_not_followed(client_for, w):
    note = _note(w.users["member"], url="https://evil.example.com/")
    assert client_for("member").get(f"/notifications/{note.pk}/")["Location"] == "/notifications/"


def test_the_api_lists_counts_and_marks_only_my_own(client_for, w):
    Notification.objects.filter(user=w.users["member"]).delete()  # the world's own notices
    mine = _note(w.users["member"], "a")
    _note(w.users["member"], "b")
    theirs = _note(w.users["secretary"], "c")
    client = client_for("member")
    body = client.get("/api/v1/notifications").json()
    assert (body["count"], body["unread"]) == (2, 2)
    assert {i["title"] for i in body["items"]} == {"Thông báo: a", "Thông báo: b"}
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert client.post(f"/api/v1/notifications/{mine.pk}/read").json()["read_at"]
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_api_changes_preferences_and_registers_a_device(client_for, w):
    client = client_for("member")
    response = client.patch(
        "/api/v1/notifications/preferences", json.dumps({"digest_daily": True}), content_type="application/json"
    )
    assert response.json()["digest_daily"] is True and response.json()["email_enabled"] is True
    sub = {"endpoint": "https://push.example.net/x", "keys": {"p256dh": "k" * 20, "auth": "a" * 10}}
    assert (
        client.post("/api/v1/notifications/push-subscriptions", sub, content_type="application/json").status_code == 201
    )
    gone = {"endpoint": sub["endpoint"]}
    other = client_for("secretary")
    assert (
        other.delete("/api/v1/notifications/push-subscriptions", gone, content_type="application/json").status_code
        == 404
    )
    assert (
        client.delete("/api/v1/notifications/push-subscriptions", gone, content_type="application/json").status_code
        == 204
    )
    bad = {"endpoint": "http://insecure.example", "keys": {"p256dh": "k", "auth": "a"}}
    assert (
        client.post("/api/v1/notifications/push-subscriptions", bad, content_type="application/json").status_code == 400
    )


def test_the_preferences_page_saves_and_says_when_push_is_not_set_up(client_for, w, settings):
    client = client_for("member")
    response = client.post("/notifications/settings/", {"language": "vi", "email_enabled": "on", "digest_daily": "on"})
    assert response.status_code == 302
    assert Preferences.objects.get(user=w.users["member"]).digest_daily is True
    assert "push-enable" in client.get("/notifications/settings/").content.decode()
    settings.VAPID_PUBLIC_KEY = ""
    text = client.get("/notifications/settings/").content.decode()
    assert "push-enable" not in text and "VAPID" in text


def test_the_service_worker_shows_pushed_notifications(client):
    text = client.get("/sw.js").content.decode()
    assert 'addEventListener("push"' in text and 'addEventListener("notificationclick"' in text


def test_email_settings_from_the_environment():
    from handbook.settings.base import email_settings

    smtp = email_settings({"EMAIL_URL": "smtp://mailer:p%40ss@mail.example.org:2525"})
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_HOST_PASSWORD"], smtp["EMAIL_USE_TLS"]) == (
        "mail.example.org",
        2525,
        "p@ss",
        True,
    )
    assert email_settings({"EMAIL_URL": "smtps://u:p@mail.example.org"})["EMAIL_PORT"] == 465
    assert email_settings({"EMAIL_HOST": "relay", "EMAIL_USE_TLS": "0"})["EMAIL_USE_TLS"] is False
    assert email_settings({})["EMAIL_BACKEND"].endswith("console.EmailBackend")
