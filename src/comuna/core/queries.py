"""Reads of the core module, already scoped to the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from comuna.core import access
from comuna.core.models import ApiToken, AuditEvent, Membership, Organisation, Person

if TYPE_CHECKING:
    from comuna.core.access import AnyUser


def person_for_user(*, user: AnyUser) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user_id=user.pk).first()


def memberships_of(*, person: Person) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(person=person)
        .select_related("organisation")
        .order_by("-valid_from", "organisation__name")
    )


def tokens_of(*, user: AnyUser) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user__pk=int(user.pk or 0)).order_by("-created_at")


def token_of(*, user: AnyUser, token_id: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=token_id, user_id=user.pk)


def audit_for_organisation(
    *, user: AnyUser, slug: str
) -> tuple[Organisation, QuerySet[AuditEvent]]:
    """The audit trail of an organisation: coordinators and oversight only; others get 404."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not access.can_read_all(user, owner_id=organisation.pk):
        raise access.Http404
    events = AuditEvent.objects.filter(organisation=organisation).select_related("actor")
    return organisation, events
