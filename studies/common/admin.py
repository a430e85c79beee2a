import datetime as dt
import itertools
import json
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from studies.common.audit import audit_record
from studies.common.models import AuditAction, AuditEvent, User
from studies.common.spreadsheets import csv_lines


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("time_zone",)}),
    )
    # The admin's two-box picker marks its search icons up in a way screen readers are told
    # to ignore; groups are few ("Research leads" makes a lead), so they are ticked instead.
    filter_horizontal = ()

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        rights = {"is_staff", "is_superuser", "is_active", "groups", "user_permissions"}
        changed = sorted(rights & set(form.changed_data))
        super().save_model(request, obj, form, change)
        if changed:
            audit_record(
                actor=request.user,
                action=AuditAction.STAFF_CHANGED,
                target=obj.get_username(),
                detail={
                    "fields": changed,
                    "is_staff": obj.is_staff,
                    "is_superuser": obj.is_superuser,
                    "is_active": obj.is_active,
                },
                request=request,
            )


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records of what happened (history, sync records, deliveries): read, never written."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditActionGroupFilter(admin.SimpleListFilter):
    """Filter by kind of action (consent, roles, personal data...) as well as by action."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        groups = sorted({value.split(".")[0] for value in AuditAction.values})
        return [(group, group.replace("_", " ").capitalize()) for group in groups]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> Any:
        if self.value():
            return queryset.filter(action__startswith=f"{self.value()}.")
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_username", "action", "target", "study_id", "ip_address")
    list_filter = (AuditActionGroupFilter, "action", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_username", "target", "=study_id")
    date_hierarchy = "at"
    fields = ("at", "actor_username", "action", "study_id", "target", "detail", "ip_address")
    readonly_fields = fields
    actions = ("export_csv",)

    @admin.action(description=_("Export the selected entries as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> HttpResponse:
        audit_record(
            actor=request.user,
            action=AuditAction.AUDIT_EXPORTED,
            detail={"entries": queryset.count()},
            request=request,
        )
        return audit_csv_response(queryset.order_by("at"))


def audit_csv_response(events: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    """The audit log as CSV, streamed so a long log does not sit in memory."""
    header = ["at (UTC)", "who", "action", "study", "target", "detail", "ip address"]
    rows = (
        [
            event.at.astimezone(dt.UTC).isoformat(),
            event.actor_username,
            event.action,
            event.study_id,
            event.target,
            json.dumps(event.detail, sort_keys=True),
            event.ip_address,
        ]
        for event in events.iterator(chunk_size=1000)
    )
    response = StreamingHttpResponse(
        csv_lines(itertools.chain([header], rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="researchhub-audit-log.csv"'
    return response


# Sign-in lock-outs (axes' records, with an audited lift) live in their own module.
from studies.common import admin_lockout  # noqa: E402, F401
