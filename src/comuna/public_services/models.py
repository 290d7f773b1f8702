"""Models of the public_services module."""

from __future__ import annotations

# Importing the schedules and route planning models registers them.
from comuna.public_services.models_operations import *  # noqa: F403
