from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "handbook.members"
    label = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from handbook.organizations import contents

        from .services import MemberContents

        contents.register(MemberContents())
