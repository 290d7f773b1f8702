"""Models of the assemblies module."""

from __future__ import annotations
