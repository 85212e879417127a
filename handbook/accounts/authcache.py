"""A short-lived cache of API token -> user and scope, so a bearer request costs no database query
to authenticate (meeting day: thousands of members checking in and voting at once).

What is cached, per token (key: the token's SHA-256, never the token): the user's fields except the
password hash, the token's id, prefix and expiry, and the user's resolved scope (access.Scope).
Expiry is checked on every request against the cached `expires_at`.

How an entry stops being trusted:
- each entry is stored with the *versions* read **before** the database was read: one version per
  token, and one for the whole organisation tree. A change that can alter what a cached entry
  says gives a new random version to every token of the affected users (revocation, password or
  activity change, role grants, a member's move or status change) or to the tree (any change of
  an organisation: paths, status). A lookup compares the stored versions with the current ones;
  a mismatch is a miss. The versions are changed at once and again when the transaction
  commits, so a request that read the database before the commit cannot cache the old state;
- entries live `HANDBOOK_AUTH_CACHE_SECONDS` (short) at most, as a last line for changes made
  behind the application's back (raw SQL).

Invalidation is explicit only across processes that share the cache (Redis, `REDIS_URL`): the
production profile turns this cache off when there is no shared cache (local memory is per
process, so one worker could not tell the others that a token was revoked).
"""

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import router, transaction

PREFIX = "handbook:auth:"
TREE = f"{PREFIX}tree"
#: Version keys outlive entries by far; losing one only turns hits into misses.
VERSION_SECONDS = 7 * 24 * 3600
#: Above this many users or members changed at once, every entry is dropped (the tree version).
BULK = 500


def enabled() -> bool:
    return settings.HANDBOOK_AUTH_CACHE_SECONDS > 0


def _entry_key(key_hash: str) -> str:
    return f"{PREFIX}entry:{key_hash}"


def _version_key(key_hash: str) -> str:
    return f"{PREFIX}v:{key_hash}"


def versions(key_hash: str) -> tuple[Any, Any]:
    """The token's and the tree's current versions (None when never changed)."""
    found = cache.get_many([_version_key(key_hash), TREE])
    return found.get(_version_key(key_hash)), found.get(TREE)


def lookup(key_hash: str) -> tuple[dict | None, tuple[Any, Any]]:
    """The cached entry of a token if its versions are still current, and the current versions
    (on a miss, the caller stores what it reads from the database under these: they were read
    before it). One cache round trip."""
    keys = [_entry_key(key_hash), _version_key(key_hash), TREE]
    found = cache.get_many(keys)
    entry = found.get(keys[0])
    current = (found.get(keys[1]), found.get(keys[2]))
    if entry is None or entry["versions"] != current:
        return None, current
    return entry, current


def store(key_hash: str, entry: dict, now: datetime.datetime) -> None:
    """Keep `entry` (with the versions read before the database) until the token expires at most."""
    left = (entry["token"]["expires_at"] - now).total_seconds()
    timeout = min(settings.HANDBOOK_AUTH_CACHE_SECONDS, int(left))
    if timeout > 0:
        cache.set(_entry_key(key_hash), entry, timeout)


def _bump(keys: list[str]) -> None:
    if keys:
        cache.set_many({k: uuid.uuid4().hex for k in keys}, VERSION_SECONDS)


def _bump_now_and_on_commit(keys: list[str]) -> None:
    _bump(keys)
    transaction.on_commit(lambda: _bump(keys), using=router.db_for_write(_token_model()))


def _token_model():
    from .models import ApiToken

    return ApiToken


def forget_tokens(*, user_ids: Iterable[int] = (), member_ids: Iterable[int] = ()) -> None:
    """Stop trusting the cached entries of every token of these users (or of these members' users)."""
    user_ids, member_ids = list(user_ids), list(member_ids)
    if not (user_ids or member_ids) or not enabled():
        return
    if len(user_ids) + len(member_ids) > BULK:
        forget_tree()  # a bulk change: drop every entry rather than look up thousands of tokens
        return
    tokens = _token_model().objects.all()
    if user_ids:
        hashes = list(tokens.filter(user_id__in=user_ids).values_list("key_hash", flat=True))
    else:
        hashes = []
    if member_ids:
        hashes += tokens.filter(user__member_id__in=member_ids).values_list("key_hash", flat=True)
    _bump_now_and_on_commit([_version_key(h) for h in hashes])


def forget_tree() -> None:
    """Stop trusting every cached scope: an organisation changed (path, status, place in the tree)."""
    if enabled():
        _bump_now_and_on_commit([TREE])


def user_fields(user) -> dict:
    """The user's concrete fields except the password hash (never put in the cache)."""
    return {f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields if f.attname != "password"}


def rebuild(model, fields: dict):
    """A model instance from cached fields; the others are deferred (loaded from the database only
    if read, and a save() writes only the loaded fields, so the password can never be blanked)."""
    db = router.db_for_read(model)
    names = [f.attname for f in model._meta.concrete_fields if f.attname in fields]
    return model.from_db(db, names, [fields[n] for n in names])


def connect_signals() -> None:
    """Model saves and deletes that change what an entry says (bulk updates are covered where the
    services make them, via the audit trail: see handbook.audit.services)."""
    from django.db.models.signals import post_delete, post_save

    from handbook.members.models import Member
    from handbook.organizations.models import Organization

    from .models import ApiToken, RoleGrant, User

    def user_changed(sender, instance, **kwargs):
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return  # a web login changes nothing a token's entry holds
        forget_tokens(user_ids=[instance.pk])

    def by_user_id(sender, instance, **kwargs):
        if sender is ApiToken and kwargs.get("created"):
            return  # a new token has no entry yet
        forget_tokens(user_ids=[instance.user_id])

    def member_changed(sender, instance, **kwargs):
        if not kwargs.get("created"):
            forget_tokens(member_ids=[instance.pk])

    def tree_changed(sender, instance, **kwargs):
        forget_tree()

    for signal in (post_save, post_delete):
        signal.connect(user_changed, sender=User, dispatch_uid=f"authcache-user-{signal}")
        signal.connect(by_user_id, sender=ApiToken, dispatch_uid=f"authcache-token-{signal}")
        signal.connect(by_user_id, sender=RoleGrant, dispatch_uid=f"authcache-grant-{signal}")
        signal.connect(member_changed, sender=Member, dispatch_uid=f"authcache-member-{signal}")
        signal.connect(tree_changed, sender=Organization, dispatch_uid=f"authcache-org-{signal}")
