from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.sites.shortcuts import get_current_site

from .backends import login_key


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by officials and the demo loader; nobody signs themselves up."""

    def is_open_for_signup(self, request):
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys failed logins by the text typed; key them by the account instead, so
        # "0912 000 001" and "+84912000001" share one counter (pages and API alike).
        login = credentials.get("email", credentials.get("username", ""))
        return f"{get_current_site(request).domain}:{login_key(login)}"
