from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "handbook.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from . import notices

        notices.register()
