"""Models of the assemblies module."""

from __future__ import annotations

# Importing the polls, elections and exports models registers them.
from comuna.assemblies.models_voting import *  # noqa: F403
