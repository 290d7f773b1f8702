"""The public_services module's part of `comuna seed-demo`."""

from __future__ import annotations

from typing import Protocol


class Writer(Protocol):
    def write(self, text: str) -> object: ...


def load(stdout: Writer) -> None:
    """Load this module's demo data on top of the demo network; running it again changes
    nothing."""
    from comuna.public_services import demo_operations

    demo_operations.load(stdout)
