from __future__ import annotations

from django.contrib import admin

from comuna.core.models import ApiToken, AuditEvent, Membership, Organisation, Person


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "kind", "slug", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "slug")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ("public_name", "full_name", "user")
    search_fields = ("public_name", "full_name")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("person", "organisation", "role", "valid_from", "valid_to")
    list_filter = ("role",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("at", "actor", "verb", "subject_type", "subject_id")
    list_filter = ("verb",)

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "revoked_at")
    exclude = ("digest",)
