"""Writing audit events: every action calls `record` inside its transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from comuna.core.models import AuditEvent, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    verb: str,
    subject: models.Model,
    organisation: Organisation | int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    return AuditEvent.objects.create(
        actor_id=actor_id,
        organisation_id=org_id,
        verb=verb,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:200],
        details=details or {},
    )
