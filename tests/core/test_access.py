"""Access rules: who sees and changes what (core.access)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from comuna.core import access
from comuna.core.errors import PermissionDeniedError
from comuna.core.models import Person, Visibility
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def sees(user: User | AnonymousUser, visibility: str, cast: Cast) -> bool:
    return access.can_see(user, visibility=visibility, owner_id=cast.maizal.pk)


def test_public_records_are_seen_by_everybody(cast: Cast) -> None:
    assert sees(AnonymousUser(), Visibility.PUBLIC, cast)
    assert sees(cast.oscar, Visibility.PUBLIC, cast)


def test_network_records_need_a_membership_somewhere(cast: Cast) -> None:
    assert not sees(AnonymousUser(), Visibility.NETWORK, cast)
    assert not sees(cast.oscar, Visibility.NETWORK, cast)
    assert sees(cast.ernesto, Visibility.NETWORK, cast)


def test_unit_records_are_for_members_of_the_owner(cast: Cast) -> None:
    assert sees(cast.carol, Visibility.UNIT, cast)
    assert not sees(cast.ernesto, Visibility.UNIT, cast)
    assert not sees(cast.oscar, Visibility.UNIT, cast)


def test_restricted_records_are_for_coordinators_and_oversight(cast: Cast) -> None:
    assert sees(cast.bob, Visibility.RESTRICTED, cast)
    assert sees(cast.dora, Visibility.RESTRICTED, cast)
    assert not sees(cast.carol, Visibility.RESTRICTED, cast)
    assert not sees(cast.alice, Visibility.RESTRICTED, cast)
    assert not sees(cast.ernesto, Visibility.RESTRICTED, cast)


def test_a_role_in_a_commune_reaches_its_councils(cast: Cast) -> None:
    assert access.can_see(cast.dora, visibility=Visibility.RESTRICTED, owner_id=cast.delicias.pk)
    assert access.can_change(cast.bob, owner_id=cast.delicias.pk)
    assert not access.can_change(cast.ernesto, owner_id=cast.delicias.pk)


def test_oversight_reads_everything_but_changes_nothing(cast: Cast) -> None:
    assert access.can_read_all(cast.dora, owner_id=cast.maizal.pk)
    assert not access.can_change(cast.dora, owner_id=cast.maizal.pk)
    with pytest.raises(PermissionDeniedError):
        access.require_change(cast.dora, owner_id=cast.maizal.pk)


def test_invisible_is_404_and_visible_but_not_allowed_is_403(cast: Cast) -> None:
    with pytest.raises(Http404):
        access.require_visible(cast.oscar, visibility=Visibility.UNIT, owner_id=cast.maizal.pk)
    access.require_visible(cast.carol, visibility=Visibility.UNIT, owner_id=cast.maizal.pk)
    with pytest.raises(PermissionDeniedError):
        access.require_change(cast.carol, owner_id=cast.maizal.pk)


def test_private_person_fields_for_self_and_coordinators_only(cast: Cast) -> None:
    alice = Person.objects.get(user=cast.alice)
    assert access.person_private_visible(cast.alice, alice)
    assert access.person_private_visible(cast.bob, alice)
    assert not access.person_private_visible(cast.carol, alice)
    assert not access.person_private_visible(cast.dora, alice)
    assert not access.person_private_visible(cast.ernesto, alice)
    assert not access.person_private_visible(cast.oscar, alice)
    assert not access.person_private_visible(AnonymousUser(), alice)


def test_an_ended_membership_gives_no_access(cast: Cast) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from comuna.core import actions
    from comuna.core.models import Membership

    membership = Membership.objects.get(person__user=cast.bob)
    membership.valid_from = timezone.localdate() - timedelta(days=30)
    membership.save()
    actions.membership_end(
        actor=None, membership=membership, on=timezone.localdate() - timedelta(days=1)
    )
    assert not access.can_change(cast.bob, owner_id=cast.maizal.pk)
