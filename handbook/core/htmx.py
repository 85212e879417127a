"""One place to decide between a fragment (htmx request) and the full page."""


def htmx_partial(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted
