from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "handbook.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from django.utils.translation import gettext as _
        from django.utils.translation import gettext_lazy

        from handbook.notifications.services import register_kind

        register_kind(
            "report.returned",
            title=lambda p: _("Report returned for correction: %(title)s (%(period)s)") % p,
            label=gettext_lazy("Reports returned for correction"),
        )
