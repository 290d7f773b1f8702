"""Read-mostly admin of the reports side (writes belong to the actions: the admin is for
looking, not for changing records behind the timeline's back)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from comuna.public_services.models import ApiKey, Asset, Crew, ServiceRequest, ServiceType


class ReadOnly:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceType)
class ServiceTypeAdmin(ReadOnly, admin.ModelAdmin[ServiceType]):
    list_display = ("code", "name", "group", "owner", "target_hours", "active")
    list_filter = ("group", "active")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnly, admin.ModelAdmin[ServiceRequest]):
    list_display = ("pk", "service", "commune", "status", "step", "requested_at", "expected_at")
    list_filter = ("status", "step", "routing", "source")
    list_select_related = ("service", "commune")
    exclude = (
        "contact_name",
        "contact_email",
        "contact_phone",
        "token",
        "fingerprint",
        "media_url",
    )


@admin.register(Crew)
class CrewAdmin(ReadOnly, admin.ModelAdmin[Crew]):
    list_display = ("name", "owner", "group", "active")


@admin.register(Asset)
class AssetAdmin(ReadOnly, admin.ModelAdmin[Asset]):
    list_display = ("name", "kind", "owner", "state")
    list_filter = ("kind", "state")
    search_fields = ("name", "code")


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnly, admin.ModelAdmin[ApiKey]):
    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("digest",)
