"""Atom feeds (django.contrib.syndication) of the public updates of a body and of an
organisation: demands filed, acknowledged, answered, escalated..., and for an organisation
also the phases of its transfers of competences. Only public records appear."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from comuna.core.models import Organisation
from comuna.dialogue import queries
from comuna.dialogue.models import DemandEvent, EventKind, PublicBody, TransferStep


def event_title(event: DemandEvent) -> str:
    demand = event.demand
    names = {
        EventKind.FILED: _("%(owner)s filed “%(title)s” to %(body)s"),
        EventKind.RECEIVED: _("“%(title)s” reached %(body)s by escalation"),
        EventKind.COSIGNED: _("%(signer)s co-signed “%(title)s”"),
        EventKind.ACKNOWLEDGED: _("%(body)s acknowledged “%(title)s”"),
        EventKind.ANSWERED: _("%(body)s answered “%(title)s”"),
        EventKind.RESOLVED: _("“%(title)s” was resolved"),
        EventKind.ESCALATED: _("“%(title)s” was escalated to a higher body"),
        EventKind.WITHDRAWN: _("%(owner)s withdrew “%(title)s”"),
    }
    template = names.get(EventKind(event.kind), "%(title)s")
    return template % {
        "owner": demand.owner.name,
        "title": demand.title,
        "body": demand.body.name,
        "signer": event.organisation.name if event.organisation else "",
    }


class _DemandFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, item: Any) -> str:
        if isinstance(item, TransferStep):
            return _("%(title)s: phase “%(phase)s”") % {
                "title": item.transfer.title,
                "phase": item.get_phase_display(),
            }
        return event_title(item)

    def item_description(self, item: Any) -> str:
        if isinstance(item, TransferStep):
            return item.notes
        return item.text or item.demand.text[:500]

    def item_link(self, item: Any) -> str:
        if isinstance(item, TransferStep):
            return reverse("dialogue:transfer", args=[item.transfer_id])
        return reverse("dialogue:demand", args=[item.demand_id]) + f"#evento-{item.pk}"

    def item_guid(self, item: Any) -> str:
        prefix = "fase" if isinstance(item, TransferStep) else "evento"
        return f"{prefix}-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Any) -> datetime:
        at: datetime = item.at
        return at

    def item_updateddate(self, item: Any) -> datetime:
        at: datetime = item.at
        return at


class BodyFeed(_DemandFeed):
    def get_object(self, request: HttpRequest, slug: str) -> PublicBody:
        return queries.body_get(slug=slug)

    def title(self, obj: PublicBody) -> str:
        return _("Demands to %(body)s") % {"body": obj.name}

    def link(self, obj: PublicBody) -> str:
        return reverse("dialogue:body", args=[obj.slug])

    def subtitle(self, obj: PublicBody) -> str:
        return _("Public updates of the demands addressed to %(body)s.") % {"body": obj.name}

    def items(self, obj: PublicBody) -> list[DemandEvent]:
        return queries.public_events(body=obj)


class OrganisationFeed(_DemandFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Organisation:
        return queries.organisation_get(slug=slug)

    def title(self, obj: Organisation) -> str:
        return _("Dialogue with government: %(name)s") % {"name": obj.name}

    def link(self, obj: Organisation) -> str:
        return reverse("dialogue:organisation", args=[obj.slug])

    def subtitle(self, obj: Organisation) -> str:
        return _("Public updates of the demands and transfers of %(name)s.") % {"name": obj.name}

    def items(self, obj: Organisation) -> list[Any]:
        events: list[Any] = queries.public_events(organisation=obj)
        steps: list[Any] = queries.public_transfer_steps(obj)
        merged = sorted([*events, *steps], key=lambda item: (item.at, item.pk), reverse=True)
        return merged[:30]
