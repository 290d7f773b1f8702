from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_workflow(sender: AppConfig, **kwargs: Any) -> None:
    """The default motion workflow is data: written after migrating (safe to repeat)."""
    if sender.label != "assemblies":
        return
    from comuna.assemblies.actions import seed_default_workflow

    seed_default_workflow()


class AssembliesConfig(AppConfig):
    name = "comuna.assemblies"
    label = "assemblies"
    verbose_name = _("Assemblies")

    def ready(self) -> None:
        from comuna.core.context import NavItem, register_nav

        post_migrate.connect(_seed_workflow, sender=self)
        register_nav(NavItem(label=_("Assemblies"), url_name="assemblies:home", order=40))
