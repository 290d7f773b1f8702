from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "comuna.production"
    label = "production"
    verbose_name = _("Productive network")
