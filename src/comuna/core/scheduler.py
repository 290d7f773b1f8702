"""Periodic tasks. Modules register them in AppConfig.ready(); `comuna scheduler` (started by
`make demo` beside the worker) puts each on the task queue when its interval has passed.
The task itself must be safe to run twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from comuna.core.models import ScheduledRun


@dataclass(frozen=True)
class Periodic:
    name: str
    task_path: str
    every: timedelta


PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, task_path: str, every: timedelta) -> None:
    PERIODIC[name] = Periodic(name=name, task_path=task_path, every=every)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every periodic task whose interval has passed; returns their names."""
    moment = now or timezone.now()
    done: list[str] = []
    for periodic in sorted(PERIODIC.values(), key=lambda p: p.name):
        with transaction.atomic():
            run, created = ScheduledRun.objects.select_for_update().get_or_create(
                name=periodic.name, defaults={"last_enqueued_at": moment}
            )
            if not created and moment - run.last_enqueued_at < periodic.every:
                continue
            run.last_enqueued_at = moment
            run.save(update_fields=["last_enqueued_at"])
            task = import_string(periodic.task_path)
            transaction.on_commit(task.enqueue)
            done.append(periodic.name)
    return done
