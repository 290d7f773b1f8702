from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeographyConfig(AppConfig):
    name = "comuna.geography"
    label = "geography"
    verbose_name = _("Geography")

    def ready(self) -> None:
        from comuna.core.context import NavItem, register_nav

        register_nav(NavItem(label=_("Geography"), url_name="geography:index", order=90))
