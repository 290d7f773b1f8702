"""Productive network API under /api/v1/production/."""

from ninja import Router

router = Router(tags=["production"])
