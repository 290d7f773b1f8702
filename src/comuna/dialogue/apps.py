from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "comuna.dialogue"
    label = "dialogue"
    verbose_name = _("Dialogue with government")

    def ready(self) -> None:
        from datetime import timedelta

        from comuna.core.context import NavItem, register_nav
        from comuna.core.scheduler import register_periodic

        register_periodic(
            "dialogue.send_reminders",
            "comuna.dialogue.tasks.send_reminders",
            timedelta(days=1),
        )
        register_nav(NavItem(label=_("Dialogue"), url_name="dialogue:home", order=30))
