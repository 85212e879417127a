from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "handbook.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
