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

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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
    """What one user is in the network: their direct roles, and the ancestors of the
    organisations asked about (read once each). Cached for one request."""

    user_id: int | None
    is_staff: bool
    person_id: int | None
    direct: dict[int, set[str]] = field(default_factory=dict)  # organisation id -> roles
    _chains: dict[int, tuple[int, ...]] = field(default_factory=dict, repr=False)

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def in_network(self) -> bool:
        return self.is_staff or bool(self.direct)

    def chain(self, organisation_id: int) -> tuple[int, ...]:
        """The organisation and the ones above it, nearest first (one query, then cached)."""
        found = self._chains.get(organisation_id)
        if found is None:
            lookups = ["parent_id"] + [
                "__".join(["parent"] * level) + "__parent_id" for level in range(1, MAX_DEPTH)
            ]
            row = Organisation.objects.filter(pk=organisation_id).values_list(*lookups).first()
            found = (organisation_id, *(pk for pk in (row or ()) if pk is not None))
            self._chains[organisation_id] = found
        return found

    def roles_for(self, organisation_id: int) -> set[str]:
        """Roles held in the organisation or in one above it (a role reaches downwards)."""
        if not self.direct:
            return set()
        held: set[str] = set()
        for org_id in self.chain(organisation_id):
            held |= self.direct.get(org_id, set())
        return held

    def organisations_with(self, roles: Iterable[str] | None = None) -> set[int]:
        """Organisations where the viewer holds one of `roles` directly (not those below)."""
        wanted = set(roles) if roles is not None else None
        return {org_id for org_id, held in self.direct.items() if wanted is None or held & wanted}


def below(field_name: str, organisation_ids: Iterable[int]) -> Q:
    """Records whose organisation (`field_name`, e.g. "owner") is one of `organisation_ids`
    or lies below one of them, within MAX_DEPTH levels: joins, no list of descendants."""
    ids = list(organisation_ids)
    if not ids:
        return Q(pk__in=[])
    q = Q(**{f"{field_name}_id__in": ids})
    for level in range(1, MAX_DEPTH):
        q |= Q(**{f"{field_name}__{'__'.join(['parent'] * level)}_id__in": ids})
    return q


# Viewers are cached for the length of one request (ViewerCacheMiddleware) or of a
# `viewer_cache()` block (long commands such as imports). Elsewhere (actions called from
# tasks and tests) every call reads the memberships afresh, so an action sees the roles that
# earlier actions granted.
_request_cache: ContextVar[dict[int, Viewer] | None] = ContextVar("viewer_cache", default=None)


_request_store: ContextVar[dict[str, object] | None] = ContextVar("request_store", default=None)


def request_store() -> dict[str, object] | None:
    """A dict that lives as long as the current request (None outside one)."""
    return _request_store.get()


@contextmanager
def viewer_cache() -> Iterator[None]:
    """Cache viewers inside the block (reuses an enclosing cache)."""
    if _request_cache.get() is not None:
        yield
        return
    token = _request_cache.set({})
    store_token = _request_store.set({})
    try:
        yield
    finally:
        _request_cache.reset(token)
        _request_store.reset(store_token)


class ViewerCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with viewer_cache():
            return self.get_response(request)


def viewer_for(user: AnyUser | None) -> Viewer:
    """What the user is in the network (cached within a request)."""
    if user is None or not user.is_authenticated:
        return Viewer(user_id=None, is_staff=False, person_id=None)
    cache = _request_cache.get()
    if cache is not None and user.pk in cache:
        return cache[user.pk]
    person_id = Person.objects.filter(user_id=user.pk).values_list("id", flat=True).first()
    direct: dict[int, set[str]] = {}
    if person_id is not None:
        rows = Membership.objects.active().filter(person_id=person_id)
        for org_id, role in rows.values_list("organisation_id", "role"):
            direct.setdefault(org_id, set()).add(role)
    viewer = Viewer(
        user_id=user.pk,
        is_staff=bool(getattr(user, "is_staff", False)),
        person_id=person_id,
        direct=direct,
    )
    if cache is not None:
        cache[user.pk] = viewer
    return viewer


def visibility_filter(viewer: Viewer, owner_field: str = "owner") -> Q:
    """A Q that keeps the records of an OwnedRecord queryset the viewer may see."""
    if viewer.is_staff:
        return Q()
    allowed = Q(visibility=Visibility.PUBLIC)
    if viewer.in_network:
        allowed |= Q(visibility=Visibility.NETWORK)
        allowed |= Q(visibility=Visibility.UNIT) & below(owner_field, viewer.direct)
        allowed |= Q(visibility=Visibility.RESTRICTED) & below(
            owner_field, viewer.organisations_with(READ_ALL_ROLES)
        )
    return allowed


def visible(queryset: QuerySet[Any], user: AnyUser | None, owner_field: str = "owner") -> Any:
    return queryset.filter(visibility_filter(viewer_for(user), owner_field))


def can_see(user: AnyUser | None, *, visibility: str, owner_id: int) -> bool:
    viewer = viewer_for(user)
    if viewer.is_staff or visibility == Visibility.PUBLIC:
        return True
    if visibility == Visibility.NETWORK:
        return viewer.in_network
    if visibility == Visibility.UNIT:
        return bool(viewer.roles_for(owner_id))
    return bool(viewer.roles_for(owner_id) & READ_ALL_ROLES)


def can_change(user: AnyUser | None, *, owner_id: int) -> bool:
    viewer = viewer_for(user)
    return viewer.is_staff or bool(viewer.roles_for(owner_id) & CHANGE_ROLES)


def can_coordinate(user: AnyUser | None, *, owner_id: int) -> bool:
    viewer = viewer_for(user)
    return viewer.is_staff or Role.COORDINATOR in viewer.roles_for(owner_id)


def can_read_all(user: AnyUser | None, *, owner_id: int) -> bool:
    """Coordinators and oversight read everything of their unit (audit, restricted records)."""
    viewer = viewer_for(user)
    return viewer.is_staff or bool(viewer.roles_for(owner_id) & READ_ALL_ROLES)


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
        .filter(below("organisation", coordinated), person_id=person.pk)
        .exists()
    )
