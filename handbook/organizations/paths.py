"""Materialized-path arithmetic: a subtree is the index range [path, next_path(path))."""

from django.db.models import Q

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4


def next_path(path: str) -> str:
    """The smallest path greater than every path in `path`'s subtree.

    Incrementing the last step (with carry) keeps the bound alphanumeric, so the range compares
    the same under any collation and uses the plain b-tree index on SQLite and PostgreSQL alike.
    """
    if not path:
        raise ValueError("empty path")
    chars = list(path)
    i = len(chars) - 1
    while i >= 0:
        pos = ALPHABET.index(chars[i])
        if pos + 1 < len(ALPHABET):
            chars[i] = ALPHABET[pos + 1]
            return "".join(chars[: i + 1])
        i -= 1
    # Every step is at its maximum: nothing sorts after this subtree's paths but longer strings.
    return path + "~"


def subtree_q(path: str, prefix: str = "path") -> Q:
    """A Q filter for `path`'s whole subtree (the node included) on field `prefix`."""
    return Q(**{f"{prefix}__gte": path, f"{prefix}__lt": next_path(path)})


def ancestor_paths(path: str) -> list[str]:
    """The paths of `path`'s ancestors, root first, excluding itself."""
    return [path[:i] for i in range(STEPLEN, len(path), STEPLEN)]


def parent_path(path: str) -> str:
    return path[:-STEPLEN]
