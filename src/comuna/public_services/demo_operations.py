"""The schedules and routes part of the public_services demo (called by demo.load)."""

from __future__ import annotations

from comuna.public_services.demo import Writer


def load(stdout: Writer) -> None:
    """Load this part's demo data; running it again changes nothing."""
