"""Background jobs of the documents app: a scheduled document's notice, and the audio bulletin."""

from django.utils import timezone
from django_tasks import task

from .models import Document


@task()
def announce_later(document_id: int, kind: str, event_key: str) -> str:
    """Announce a scheduled document once it is visible (nothing if withdrawn meanwhile)."""
    from . import notices

    document = Document.objects.select_related("issuer").filter(pk=document_id).first()
    if document is None or document.state != Document.State.PUBLISHED:
        return "skipped"
    if document.publish_at > timezone.now():
        return "early"
    notices.announce(document, kind, event_key)
    return "announced"


@task()
def generate_bulletin(document_id: int, actor_id: int | None) -> str:
    """Speak the document's text with espeak-ng and attach the recording."""
    from . import audio

    return audio.generate(document_id, actor_id)
