"""Core API: who am I, my tokens, an organisation's audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from comuna.core import actions, queries
from comuna.core.auth import token_required

router = Router(tags=["core"])


class MembershipOut(Schema):
    organisation: str
    organisation_name: str
    role: str
    valid_from: date
    valid_to: date | None


class MeOut(Schema):
    username: str
    public_name: str | None
    memberships: list[MembershipOut]


class TokenIn(Schema):
    name: str


class TokenCreatedOut(Schema):
    id: int
    name: str
    token: str


class AuditEventOut(Schema):
    at: datetime
    actor: str | None
    verb: str
    subject_type: str
    subject_id: str
    subject_label: str
    details: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.get_username() if obj.actor else None


@router.get("/me", response=MeOut, auth=token_required, summary="The signed-in account")
def me(request: HttpRequest) -> dict[str, Any]:
    person = queries.person_for_user(user=request.user)
    memberships = []
    if person is not None:
        memberships = [
            {
                "organisation": m.organisation.slug,
                "organisation_name": m.organisation.name,
                "role": m.role,
                "valid_from": m.valid_from,
                "valid_to": m.valid_to,
            }
            for m in queries.memberships_of(person=person)
        ]
    return {
        "username": request.user.get_username(),
        "public_name": person.public_name if person else None,
        "memberships": memberships,
    }


@router.post(
    "/tokens", response={201: TokenCreatedOut}, auth=token_required, summary="Create a token"
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    token, raw = actions.token_create(actor=request.user, name=payload.name)
    return Status(201, {"id": token.pk, "name": token.name, "token": raw})


@router.get(
    "/organisations/{slug}/audit",
    response=list[AuditEventOut],
    summary="Audit trail of an organisation (coordinators and oversight)",
)
@paginate(PageNumberPagination)
def audit(request: HttpRequest, slug: str) -> Any:
    _organisation, events = queries.audit_for_organisation(user=request.user, slug=slug)
    return events
