"""Read-only admin: the geography is reference data, changed only by `load_geography`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from comuna.geography.models import Municipality, Parish, State


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(State)
class StateAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "capital")
    search_fields = ("name", "code")
    exclude = ("outline",)


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "state", "capital")
    list_filter = ("state",)
    list_select_related = ("state",)
    search_fields = ("name", "code")


@admin.register(Parish)
class ParishAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "municipality")
    list_select_related = ("municipality",)
    search_fields = ("search_name", "code")
