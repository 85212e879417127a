"""What the documents app tells people, through the notifications app: a document published (at
its publish time, when scheduled) or corrected, a reminder to those who have not read it, an
answer to feedback. Each notice has an event key, so a user never gets the same one twice."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Document, Feedback, Reminder


def _notifications():
    from handbook.notifications import services

    return services


def register() -> None:
    """Called from DocumentsConfig.ready(): the kinds and the audience resolvers."""
    notifications = _notifications()
    notifications.register_kind(
        "document.published",
        title=lambda p: _("New document: %(title)s") % p,
        body=lambda p: _("From %(issuer)s.") % p,
        label=gettext_lazy("New documents"),
    )
    notifications.register_kind(
        "document.corrected",
        title=lambda p: _("Corrected document: %(title)s") % p,
        body=lambda p: _("From %(issuer)s.") % p,
        label=gettext_lazy("Corrected documents"),
    )
    notifications.register_kind(
        "document.reminder",
        title=lambda p: _("Please read: %(title)s") % p,
        body=lambda p: _("From %(issuer)s. You have not read it yet.") % p,
        label=gettext_lazy("Reminders to read a document"),
    )
    notifications.register_kind(
        "feedback.answered",
        title=lambda p: _("Your feedback was answered: %(subject)s") % p,
        label=gettext_lazy("Answers to my feedback"),
    )
    notifications.register_recipients("document.audience", _audience_users)
    notifications.register_recipients("document.unread", _unread_users)


def _audience_users(document_id: int):
    from .queries import audience_users

    return audience_users(Document.objects.get(pk=document_id))


def _unread_users(document_id: int, path: str):
    from .queries import audience_users

    return audience_users(Document.objects.get(pk=document_id), under=path, unread=True)


def _params(document: Document) -> dict:
    return {"title": document.title[:200], "issuer": document.issuer.name}


def announce(document: Document, kind: str, event_key: str, at=None) -> None:
    """Queue the notice to the whole audience (after the caller's transaction commits). A
    scheduled document is announced when it becomes visible."""
    from django.utils import timezone
    from django_tasks import default_task_backend

    from .tasks import announce_later

    if at is not None and at > timezone.now():
        if default_task_backend.supports_defer:
            announce_later.using(run_after=at).enqueue(document.pk, kind, event_key)
        # Every real backend (the database one by default) can defer; the immediate backend used
        # by the tests cannot, and then a scheduled document is not announced.
        return
    _notifications().notify(
        kind,
        event_key,
        recipients=("document.audience", {"document_id": document.pk}),
        params=_params(document),
        url=f"/documents/{document.pk}/",
    )


def remind(document: Document, organization, reminder: Reminder) -> None:
    _notifications().notify(
        "document.reminder",
        f"document:{document.pk}:reminder:{reminder.pk}",
        recipients=("document.unread", {"document_id": document.pk, "path": organization.path}),
        params=_params(document),
        url=f"/documents/{document.pk}/",
    )


def feedback_answered(feedback: Feedback) -> None:
    _notifications().notify(
        "feedback.answered",
        f"feedback:{feedback.pk}:answered:{feedback.answered_at:%Y%m%d%H%M%S%f}",
        users=[feedback.author_id],
        params={"subject": feedback.subject[:200]},
        url=f"/documents/feedback/{feedback.pk}/",
    )
