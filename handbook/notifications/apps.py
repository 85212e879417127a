from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "handbook.notifications"
    label = "notifications"
    verbose_name = "Notifications"
