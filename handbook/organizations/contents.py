"""What an organisation holds besides its child nodes (members, and later open meetings, documents).

Apps that attach records to organisations register a handler in their AppConfig.ready(); the
restructuring services ask every handler for its impact and to move its records, so a merge or a
split never leaves anything behind in an archived node, and this app need not import them.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from .models import Organization


class ContentHandler(Protocol):
    #: A short key ("members") used in impact summaries and in split selections.
    key: str

    def count(self, organization: Organization) -> int:
        """How many records of this kind the node itself holds (not its descendants)."""

    def subtree_count(self, organization: Organization) -> int:
        """How many records of this kind the node's whole subtree holds."""

    def subtree_moved(self, *, old_path: str, new_path: str) -> None:
        """Paths under old_path now start with new_path: update any copy of them."""

    def transfer_all(self, *, actor: Any, source: Organization, target: Organization) -> int:
        """Move every record of this kind from source to target; returns how many moved."""

    def transfer_selected(self, *, actor: Any, source: Organization, target: Organization, ids: list[int]) -> int:
        """Move the chosen records (ids must all belong to source); returns how many moved."""


@dataclass
class _Registry:
    handlers: dict[str, ContentHandler]
    on_archive: list
    on_move: list


_registry = _Registry(handlers={}, on_archive=[], on_move=[])


def register_on_move(hook) -> None:
    """`hook(old_path=..., new_path=...)` runs inside the transaction that moves a subtree, for
    apps that keep a copy of organisation paths but hold nothing a merge must move (rule
    assignments)."""
    _registry.on_move.append(hook)


def moved(*, old_path: str, new_path: str) -> None:
    for hook in _registry.on_move:
        hook(old_path=old_path, new_path=new_path)


def register_on_archive(hook) -> None:
    """`hook(actor=..., organization=...)` runs inside the transaction that archives a node (merged
    away or dissolved): for things tied to the node that must not outlive it, such as role grants."""
    _registry.on_archive.append(hook)


def archived(*, actor: Any, organization: Organization) -> None:
    for hook in _registry.on_archive:
        hook(actor=actor, organization=organization)


def register(handler: ContentHandler) -> None:
    _registry.handlers[handler.key] = handler


def handlers() -> list[ContentHandler]:
    return list(_registry.handlers.values())


def handler(key: str) -> ContentHandler:
    return _registry.handlers[key]
