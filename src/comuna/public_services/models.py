"""Models of the public_services module."""

from __future__ import annotations
