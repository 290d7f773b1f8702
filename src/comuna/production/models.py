"""Models of the production module."""

from __future__ import annotations
