"""Keeping the documents app's copies of organisation paths true when the tree is restructured.

Documents, audience rows, feedback, receipts and study records copy paths (the issuer's, the
addressee's, the reader's cell) so that scopes and rates are index ranges. When a subtree moves,
those copies move with it. Nothing here is "held" by a node the way members are: an archived
organisation keeps the documents it issued and the feedback it received, so the counts are zero
and a merge moves nothing."""

from typing import Any

from django.db.models import Value
from django.db.models.functions import Concat, Substr

from handbook.organizations.models import Organization
from handbook.organizations.paths import subtree_q

from .models import Audience, Document, Feedback, Receipt, StudyRecord

PATH_COPIES = [
    (Document, "issuer_path"),
    (Audience, "path"),
    (Feedback, "path"),
    (Receipt, "cell_path"),
    (StudyRecord, "cell_path"),
]


class DocumentContents:
    key = "documents"

    def count(self, organization: Organization) -> int:
        return 0

    def subtree_count(self, organization: Organization) -> int:
        return 0

    def subtree_moved(self, *, old_path: str, new_path: str) -> None:
        for model, field in PATH_COPIES:
            model.objects.filter(subtree_q(old_path, field)).update(
                **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
            )

    def transfer_all(self, *, actor: Any, source: Organization, target: Organization) -> int:
        return 0

    def transfer_selected(self, *, actor: Any, source: Organization, target: Organization, ids: list[int]) -> int:
        return 0
