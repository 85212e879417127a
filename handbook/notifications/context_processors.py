from . import queries


def unread(request):
    """The header badge: one count over the partial "unread" index (rows a user has not read yet)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"hb_unread": 0}
    return {"hb_unread": queries.unread_count(user)}
