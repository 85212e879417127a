from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "handbook.rules"
    label = "rules"
    verbose_name = _("Rulebook")

    def ready(self) -> None:
        from handbook.organizations import contents

        from .services import assignments_moved

        contents.register_on_move(assignments_moved)
