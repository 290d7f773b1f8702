"""States, municipalities and parishes: reference data loaded by `comuna load_geography`.

Codes: states use ISO 3166-2:VE ("VE-K"). Municipalities ("VE-K-07") and parishes
("VE-K-07-03") use the project's own codes, made by scripts/build_geography.py (the parent's
code plus a 2-digit index in alphabetical order), since no freely licensed official codes
exist.
"""

from __future__ import annotations

import unicodedata
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


def search_key(text: str) -> str:
    """Lower case without accents ("Mérida" -> "merida"): what `search_name` stores, what
    searches compare with and what lists are ordered by, so that "Mérida" comes before
    "Monagas" on SQLite (which compares bytes) as on PostgreSQL."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join(
        "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().split()
    )


class State(models.Model):
    """A state (estado), the Capital District or the Federal Dependencies."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    search_name = models.CharField(
        _("name for searching"),
        max_length=100,
        editable=False,
        help_text=_("The name in lower case without accents."),
    )
    capital = models.CharField(_("capital"), max_length=100, blank=True)
    outline = models.JSONField(
        _("outline"),
        null=True,
        blank=True,
        help_text=_("A GeoJSON Polygon or MultiPolygon in WGS84 longitude and latitude."),
    )
    min_lon = models.FloatField(_("west longitude"), null=True, blank=True)
    min_lat = models.FloatField(_("south latitude"), null=True, blank=True)
    max_lon = models.FloatField(_("east longitude"), null=True, blank=True)
    max_lat = models.FloatField(_("north latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("state")
        verbose_name_plural = _("states")
        ordering: ClassVar[list[str]] = ["name"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north), or None when the state has no outline."""
        west, south, east, north = self.min_lon, self.min_lat, self.max_lon, self.max_lat
        if west is None or south is None or east is None or north is None:
            return None
        return (west, south, east, north)


class Municipality(models.Model):
    """A municipality (municipio) of a state."""

    state = models.ForeignKey(
        State,
        verbose_name=_("state"),
        on_delete=models.PROTECT,
        related_name="municipalities",
    )
    code = models.CharField(_("code"), max_length=9, unique=True)
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=100)
    search_name = models.CharField(
        _("name for searching"),
        max_length=100,
        editable=False,
        help_text=_("The name in lower case without accents."),
    )
    capital = models.CharField(_("capital"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["state", "slug"], name="geography_municipality_slug_in_state"
            )
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["state", "search_name"])]

    def __str__(self) -> str:
        return self.name


class Parish(models.Model):
    """A parish (parroquia) of a municipality."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="parishes",
    )
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=100)
    search_name = models.CharField(
        _("name for searching"),
        max_length=100,
        editable=False,
        help_text=_("The name in lower case without accents."),
    )

    class Meta:
        verbose_name = _("parish")
        verbose_name_plural = _("parishes")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["municipality", "slug"], name="geography_parish_slug_in_municipality"
            )
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["municipality", "search_name"]),
            models.Index(fields=["search_name"]),
        ]

    def __str__(self) -> str:
        return self.name
