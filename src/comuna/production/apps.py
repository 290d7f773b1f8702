from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "comuna.production"
    label = "production"
    verbose_name = _("Productive network")

    def ready(self) -> None:
        from comuna.core.context import NavItem, register_nav

        register_nav(NavItem(label=_("Production"), url_name="production:home", order=25))
