from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "handbook.documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from handbook.organizations import contents as organization_contents

        from . import contents, notices

        notices.register()
        organization_contents.register_on_move(contents.subtree_moved)
