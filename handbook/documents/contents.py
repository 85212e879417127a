"""Keeping the documents app's copies of organisation paths true when the tree is restructured.

Documents, audience rows, feedback, receipts and study records copy paths (the issuer's, the
addressee's, the reader's cell) so that scopes and rates are index ranges. When a subtree moves,
those copies move with it (a move hook: documents are not "held" by a node the way members are,
so an archived organisation keeps the documents it issued and the feedback it received)."""

from django.db.models import Value
from django.db.models.functions import Concat, Substr

from handbook.organizations.paths import subtree_q

from .models import Audience, Document, Feedback, Receipt, StudyRecord

PATH_COPIES = [
    (Document, "issuer_path"),
    (Audience, "path"),
    (Feedback, "path"),
    (Receipt, "cell_path"),
    (StudyRecord, "cell_path"),
]


def subtree_moved(*, old_path: str, new_path: str) -> None:
    for model, field in PATH_COPIES:
        model.objects.filter(subtree_q(old_path, field)).update(
            **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
        )
