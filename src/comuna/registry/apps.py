from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "comuna.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from datetime import timedelta

        from comuna.core.context import NavItem, register_nav
        from comuna.core.scheduler import register_periodic

        register_periodic(
            "registry.expire_mandates",
            "comuna.registry.tasks.expire_mandates",
            timedelta(days=1),
        )

        register_nav(NavItem(label=_("Network"), url_name="registry:home", order=10))
        register_nav(NavItem(label=_("Directory"), url_name="registry:directory", order=11))
        register_nav(NavItem(label=_("Graph"), url_name="registry:graph", order=12))
