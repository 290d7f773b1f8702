"""Admin of the assemblies (event side): read-mostly views for staff. Changes go through the
pages and the API, which call the actions; the admin is for looking things up."""

from __future__ import annotations

from django.contrib import admin

from comuna.assemblies.models import (
    AgendaItem,
    Amendment,
    Assembly,
    Declaration,
    Delegation,
    Motion,
    MotionState,
    Participant,
    Resolution,
    WorkingGroup,
)


@admin.register(Assembly)
class AssemblyAdmin(admin.ModelAdmin[Assembly]):
    list_display = ("title", "scope", "status", "starts_on", "owner")
    list_filter = ("scope", "status")
    search_fields = ("title", "slug")
    readonly_fields = ("version", "current_item")


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin[Participant]):
    list_display = ("number", "name", "kind", "assembly", "credential_status", "present")
    list_filter = ("kind", "credential_status", "present")
    search_fields = ("name", "number")
    raw_id_fields = ("person", "organisation", "delegation", "assembly")
    exclude = ("badge_code",)


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin[Delegation]):
    list_display = ("organisation", "assembly", "quota")
    raw_id_fields = ("organisation", "assembly")


@admin.register(MotionState)
class MotionStateAdmin(admin.ModelAdmin[MotionState]):
    """The workflow is data: staff may add states and change the allowed moves."""

    list_display = ("code", "name", "position", "is_final", "next_codes")


@admin.register(Motion)
class MotionAdmin(admin.ModelAdmin[Motion]):
    list_display = ("number", "title", "state", "assembly", "origin")
    list_filter = ("state",)
    search_fields = ("title", "number")
    raw_id_fields = (
        "assembly",
        "body",
        "origin",
        "working_group",
        "submitter",
        "forwarded_from",
    )


admin.site.register(AgendaItem)
admin.site.register(Amendment)
admin.site.register(WorkingGroup)
admin.site.register(Declaration)
admin.site.register(Resolution)
