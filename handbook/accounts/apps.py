from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "handbook.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from handbook.organizations import contents

        from . import authcache
        from .services import role_grants_release

        authcache.connect_signals()

        contents.register_on_archive(role_grants_release)
