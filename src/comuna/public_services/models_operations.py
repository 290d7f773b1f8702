"""Models of the public_services module: schedules and route planning (imported by models.py)."""

from __future__ import annotations
