from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "handbook.core"
    label = "core"
    verbose_name = "Handbook core"
