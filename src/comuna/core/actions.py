"""Writes of the core module: people, memberships, API tokens."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comuna.core import audit
from comuna.core.errors import DomainError
from comuna.core.models import ApiToken, Membership, Organisation, Person, Role, hash_token

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser | None


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    full_name: str,
    public_name: str = "",
    user: Any = None,
    gender: str = Person.Gender.OTHER,
    national_id: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
) -> Person:
    full_name = full_name.strip()
    if not full_name:
        raise DomainError(
            _("A person needs a name."), fields={"full_name": [_("This field is required.")]}
        )
    person = Person.objects.create(
        user=user,
        full_name=full_name,
        public_name=(public_name or full_name).strip(),
        gender=gender,
        national_id=national_id.strip(),
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
    )
    audit.record(actor=actor, verb="person.create", subject=person)
    return person


@transaction.atomic
def person_update(*, actor: Actor, person: Person, **changes: Any) -> Person:
    allowed = {"full_name", "public_name", "gender", "national_id", "phone", "email", "address"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(names)s.") % {"names": unknown})
    for name, value in changes.items():
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    if not person.full_name:
        raise DomainError(
            _("A person needs a name."), fields={"full_name": [_("This field is required.")]}
        )
    if not person.public_name:
        person.public_name = person.full_name
    person.save()
    # Private values are never copied into the audit trail.
    audit.record(
        actor=actor, verb="person.update", subject=person, details={"fields": sorted(changes)}
    )
    return person


@transaction.atomic
def membership_grant(
    *,
    actor: Actor,
    person: Person,
    organisation: Organisation,
    role: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Membership:
    if role not in Role.values:
        raise DomainError(
            _("Unknown role “%(role)s”.") % {"role": role}, fields={"role": [_("Unknown role.")]}
        )
    start = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < start:
        raise DomainError(
            _("A membership cannot end before it starts."),
            fields={"valid_to": [_("Must be on or after the start date.")]},
        )
    membership = Membership.objects.create(
        person=person, organisation=organisation, role=role, valid_from=start, valid_to=valid_to
    )
    audit.record(
        actor=actor,
        verb="membership.grant",
        subject=membership,
        organisation=organisation,
        details={"person": person.pk, "role": role},
    )
    return membership


@transaction.atomic
def membership_end(*, actor: Actor, membership: Membership, on: date | None = None) -> Membership:
    end = on or timezone.localdate()
    if end < membership.valid_from:
        raise DomainError(_("A membership cannot end before it starts."))
    membership.valid_to = end
    membership.save(update_fields=["valid_to", "updated_at"])
    audit.record(
        actor=actor,
        verb="membership.end",
        subject=membership,
        organisation=membership.organisation_id,
        details={"on": end.isoformat()},
    )
    return membership


@transaction.atomic
def token_create(*, actor: Any, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; returns it with the raw value, shown only once."""
    name = name.strip()
    if not name:
        raise DomainError(
            _("A token needs a name."), fields={"name": [_("This field is required.")]}
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=actor, name=name, prefix=raw[:10], digest=hash_token(raw))
    audit.record(actor=actor, verb="token.create", subject=token)
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise DomainError(_("You can only revoke your own tokens."), code="forbidden")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, verb="token.revoke", subject=token)
    return token


@transaction.atomic
def organisation_create(
    *,
    actor: Actor,
    kind: str,
    name: str,
    slug: str,
    parent: Organisation | None = None,
    description: str = "",
) -> Organisation:
    """A plain organisation (a movement outside the registry, a network). Councils and
    communes are registered through the registry's actions, which create their own kind."""
    name = name.strip()
    if not name:
        raise DomainError(
            _("An organisation needs a name."), fields={"name": [_("This field is required.")]}
        )
    if Organisation.objects.filter(slug=slug).exists():
        raise DomainError(
            _("The short name “%(slug)s” is already taken.") % {"slug": slug},
            fields={"slug": [_("Already taken.")]},
        )
    organisation = Organisation.objects.create(
        kind=kind, name=name, slug=slug, parent=parent, description=description
    )
    audit.record(
        actor=actor, verb="organisation.create", subject=organisation, organisation=organisation
    )
    return organisation
