from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicServicesConfig(AppConfig):
    name = "comuna.public_services"
    label = "public_services"
    verbose_name = _("Public services")

    def ready(self) -> None:
        from comuna.core.context import NavItem, register_nav

        register_nav(NavItem(label=_("Services"), url_name="public_services:home", order=40))
