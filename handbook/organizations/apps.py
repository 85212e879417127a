from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "handbook.organizations"
    label = "organizations"
    verbose_name = "Organisations"
