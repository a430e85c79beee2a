"""What the synthesis admin pages share: audit fields, read-only inlines, adopting saved rows."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

AUDIT_FIELDS = ("id", "created_at", "updated_at")


def adopt(obj: Any, saved: Any) -> None:
    """Make the admin's unsaved `obj` the row a service created, for the admin's messages,
    log entry and redirect."""
    obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at
    obj._state.adding = False
    obj._state.db = saved._state.db


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        return tuple(self.fields or ())

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
