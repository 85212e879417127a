from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "handbook.reports"
    label = "reports"
    verbose_name = "Reports"
