from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "handbook.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from handbook.organizations import contents

        from .services import role_grants_release

        contents.register_on_archive(role_grants_release)
