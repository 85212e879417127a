"""Audio bulletins: a committee uploads a recording, or has one generated from the document's text
with espeak-ng (Vietnamese voice), an optional system package (`apt-get install espeak-ng`). When
it is absent the page says so and offers the upload instead."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from handbook.core.errors import RuleViolation

#: Long texts are cut: a bulletin is for listening, a few minutes at most.
MAX_CHARS = 6000
TIMEOUT_SECONDS = 120


def espeak_path() -> str | None:
    return shutil.which("espeak-ng")


def require_espeak() -> str:
    path = espeak_path()
    if path is None:
        raise RuleViolation(
            _(
                "Generating audio needs espeak-ng, which is not installed on this server "
                "(apt-get install espeak-ng). You can upload a recording instead."
            ),
            code="espeak_missing",
        )
    return path


def bulletin_text(document) -> str:
    parts = [document.title, document.summary, document.body]
    return "\n\n".join(p.strip() for p in parts if p and p.strip())[:MAX_CHARS]


def synthesize(text: str) -> bytes:
    """A WAV recording of `text` in espeak-ng's Vietnamese voice."""
    espeak = require_espeak()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bulletin.wav"
        # The text goes through stdin, never the command line (no shell, no quoting issues).
        subprocess.run(  # noqa: S603
            [espeak, "-v", "vi", "-s", "140", "-w", str(out), "--stdin"],
            input=text.encode("utf-8"),
            check=True,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
        )
        return out.read_bytes()


def generate(document_id: int, actor_id: int | None) -> str:
    from handbook.accounts.models import User

    from . import services
    from .models import Document

    document = Document.objects.get(pk=document_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    data = synthesize(bulletin_text(document))
    services.attachment_add(actor=actor, document=document, data=data, filename=_("Audio bulletin.wav"), generated=True)
    return "attached"


def request(*, actor, document) -> None:
    """Check now (clear message if espeak-ng is missing), generate in the background."""
    from .tasks import generate_bulletin

    require_espeak()
    if not bulletin_text(document):
        raise RuleViolation(_("The document has no text to read aloud."), code="no_text")
    generate_bulletin.enqueue(document.pk, actor.pk if actor else None)
