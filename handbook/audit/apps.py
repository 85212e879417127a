from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "handbook.audit"
    label = "audit"
    verbose_name = "Audit trail"
