from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "handbook.transfers"
    label = "transfers"
    verbose_name = _("Transfers")

    def ready(self) -> None:
        from . import notices

        notices.register()
