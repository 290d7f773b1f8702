"""`{% state_map_svg map title=... link="geography" %}`: the inline SVG map, drawn fast."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from comuna.geography.maps import MapState, StateMap, render_svg

register = template.Library()


def _geography_href(state: MapState) -> str:
    return reverse("geography:state", args=[state.slug])


def _network_href(state: MapState) -> str:
    return f"{reverse('registry:home')}?estado={state.code}"


LINKS = {"geography": _geography_href, "network": _network_href}


@register.simple_tag
def state_map_svg(
    state_map: StateMap,
    title: str = "",
    link: str = "geography",
    edges: Sequence[dict[str, Any]] = (),
    svg_id: str = "map",
) -> SafeString:
    return render_svg(
        state_map,
        title=title or _("Map of the states of Venezuela"),
        state_href=LINKS[link],
        edges=[(e["x1"], e["y1"], e["x2"], e["y2"]) for e in edges],
        svg_id=svg_id,
    )
