"""Models of the assemblies module: polls, elections and exports (imported by models.py)."""

from __future__ import annotations
