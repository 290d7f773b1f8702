"""Who may see and who may change what.

A user acts through memberships (person, organisation, role, from, to). A role held in an
organisation also reaches the organisations below it (a commune's coordinator coordinates its
councils' records too). Visibility of a record owned by an organisation:

- public: everybody, signed in or not;
- network: any signed-in person with an active membership somewhere in the network;
- unit: active members (any role) of the owner or of an organisation above it;
- restricted: coordinators and oversight of the owner or of an organisation above it.

A record the user may not see answers 404 (it is not even confirmed to exist); one they may
see but not change answers 403. Staff accounts see and change everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from comuna.core.errors import PermissionDeniedError
from comuna.core.models import Membership, Organisation, Person, Role, Visibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

CHANGE_ROLES = frozenset({Role.COORDINATOR, Role.SPOKESPERSON})
READ_ALL_ROLES = frozenset({Role.COORDINATOR, Role.OVERSIGHT})
MAX_DEPTH = 4


@dataclass
class Viewer:
    """What one user is in the network: cached once per request."""

    user_id: int | None
    is_staff: bool
    person_id: int | None
    roles: dict[int, set[str]] = field(default_factory=dict)  # organisation id -> roles

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def in_network(self) -> bool:
        return self.is_staff or bool(self.roles)

    def roles_in(self, organisation_ids: Iterable[int]) -> set[str]:
        found: set[str] = set()
        for org_id in organisation_ids:
            found |= self.roles.get(org_id, set())
        return found

    def organisations_with(self, roles: Iterable[str] | None = None) -> set[int]:
        wanted = set(roles) if roles is not None else None
        return {org_id for org_id, held in self.roles.items() if wanted is None or held & wanted}


# Viewers are cached for the length of one request (ViewerCacheMiddleware); outside a request
# (commands, tasks, tests) every call reads the memberships afresh, so an action sees the
# roles that earlier actions granted.
_request_cache: ContextVar[dict[int, Viewer] | None] = ContextVar("viewer_cache", default=None)


class ViewerCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_cache.set({})
        try:
            return self.get_response(request)
        finally:
            _request_cache.reset(token)


def viewer_for(user: AnyUser | None) -> Viewer:
    """What the user is in the network (cached within a request)."""
    if user is None or not user.is_authenticated:
        return Viewer(user_id=None, is_staff=False, person_id=None)
    cache = _request_cache.get()
    if cache is not None and user.pk in cache:
        return cache[user.pk]
    person_id = Person.objects.filter(user_id=user.pk).values_list("id", flat=True).first()
    roles: dict[int, set[str]] = {}
    if person_id is not None:
        rows = Membership.objects.active().filter(person_id=person_id)
        direct = list(rows.values_list("organisation_id", "role"))
        for org_id, role in direct:
            roles.setdefault(org_id, set()).add(role)
        # A role reaches the organisations below: walk down a few levels in bulk.
        frontier = {org_id: set(r) for org_id, r in roles.items()}
        for _level in range(MAX_DEPTH):
            if not frontier:
                break
            children = Organisation.objects.filter(parent_id__in=frontier).values_list(
                "id", "parent_id"
            )
            next_frontier: dict[int, set[str]] = {}
            for child_id, parent_id in children:
                inherited = frontier[parent_id]
                roles.setdefault(child_id, set()).update(inherited)
                next_frontier.setdefault(child_id, set()).update(inherited)
            frontier = next_frontier
    viewer = Viewer(
        user_id=user.pk,
        is_staff=bool(getattr(user, "is_staff", False)),
        person_id=person_id,
        roles=roles,
    )
    if cache is not None:
        cache[user.pk] = viewer
    return viewer


def visibility_filter(viewer: Viewer, owner_field: str = "owner_id") -> Q:
    """A Q that keeps the records of an OwnedRecord queryset the viewer may see."""
    if viewer.is_staff:
        return Q()
    allowed = Q(visibility=Visibility.PUBLIC)
    if viewer.in_network:
        allowed |= Q(visibility=Visibility.NETWORK)
        allowed |= Q(visibility=Visibility.UNIT, **{f"{owner_field}__in": viewer.roles.keys()})
        allowed |= Q(
            visibility=Visibility.RESTRICTED,
            **{f"{owner_field}__in": viewer.organisations_with(READ_ALL_ROLES)},
        )
    return allowed


def visible(queryset: QuerySet[Any], user: AnyUser | None, owner_field: str = "owner_id") -> Any:
    return queryset.filter(visibility_filter(viewer_for(user), owner_field))


def can_see(user: AnyUser | None, *, visibility: str, owner_id: int) -> bool:
    viewer = viewer_for(user)
    if viewer.is_staff or visibility == Visibility.PUBLIC:
        return True
    if visibility == Visibility.NETWORK:
        return viewer.in_network
    if visibility == Visibility.UNIT:
        return owner_id in viewer.roles
    return bool(viewer.roles.get(owner_id, set()) & READ_ALL_ROLES)


def can_change(user: AnyUser | None, *, owner_id: int) -> bool:
    viewer = viewer_for(user)
    return viewer.is_staff or bool(viewer.roles.get(owner_id, set()) & CHANGE_ROLES)


def can_coordinate(user: AnyUser | None, *, owner_id: int) -> bool:
    viewer = viewer_for(user)
    return viewer.is_staff or Role.COORDINATOR in viewer.roles.get(owner_id, set())


def can_read_all(user: AnyUser | None, *, owner_id: int) -> bool:
    """Coordinators and oversight read everything of their unit (audit, restricted records)."""
    viewer = viewer_for(user)
    return viewer.is_staff or bool(viewer.roles.get(owner_id, set()) & READ_ALL_ROLES)


def require_visible(user: AnyUser | None, *, visibility: str, owner_id: int) -> None:
    if not can_see(user, visibility=visibility, owner_id=owner_id):
        raise Http404


def require_change(user: AnyUser | None, *, owner_id: int) -> None:
    if not can_change(user, owner_id=owner_id):
        raise PermissionDeniedError(_("You may see this, but you may not change it."))


def require_coordinator(user: AnyUser | None, *, owner_id: int) -> None:
    if not can_coordinate(user, owner_id=owner_id):
        raise PermissionDeniedError(_("Only a coordinator of this organisation may do this."))


def person_private_visible(user: AnyUser | None, person: Person) -> bool:
    """National ID, phone, e-mail and address: the person and their coordinators only."""
    viewer = viewer_for(user)
    if viewer.is_staff:
        return True
    if viewer.person_id is not None and viewer.person_id == person.pk:
        return True
    coordinated = viewer.organisations_with({Role.COORDINATOR})
    if not coordinated:
        return False
    today = timezone.localdate()
    return (
        Membership.objects.active(today)
        .filter(person_id=person.pk, organisation_id__in=coordinated)
        .exists()
    )
