from . import access


def navigation(request):
    user = getattr(request, "user", None)
    scope = access.scope_for(user)
    return {"hb_scope": scope}
