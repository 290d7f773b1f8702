"""The voting part of the assemblies demo (called by demo.load)."""

from __future__ import annotations

from comuna.assemblies.demo import Writer


def load(stdout: Writer) -> None:
    """Load this part's demo data; running it again changes nothing."""
