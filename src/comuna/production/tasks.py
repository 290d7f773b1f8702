"""Tasks of the productive network: thin, ids in, safe to run twice."""

from __future__ import annotations

from django_tasks import task

from comuna.production import planning


@task()
def allocate_cycle(cycle_id: int) -> str:
    """Allocate a queued cycle's offers to its needs; the cycle page shows the progress."""
    return planning.allocate(cycle_id)
