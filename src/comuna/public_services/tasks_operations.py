"""Tasks of schedules and route planning: thin, ids in, an action called, safe to run twice."""

from __future__ import annotations

from django_tasks import task

from comuna.public_services import actions_operations


@task()
def solve_route_plan(plan_id: int) -> str:
    """Solve a queued route plan; the plan's page shows the progress the engine writes.
    A plan that is no longer queued (solved already, or changed) is left alone."""
    plan = actions_operations.route_plan_solve(plan_id=plan_id)
    return plan.status if plan is not None else "skipped"
