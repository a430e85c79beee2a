"""Django admin for studies, the household panel, rounds and visits.

The admin is for administrators fixing data, not a second way round the rules: visits
are booked and moved through the same services as the API (so availability, overlap and
history hold), their history is read-only, and personal data stays on HouseholdContact.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from studies.common.admin import ReadOnlyAdmin
from studies.common.audit import audit_record
from studies.common.models import AuditAction
from studies.scheduling import services
from studies.scheduling.models import (
    Availability,
    CalendarDeparture,
    CalendarFeed,
    Enrolment,
    GuideQuestion,
    Invitation,
    NextGuideQuestion,
    PanelImport,
    ResearchQuestion,
    Round,
    Study,
    StudyMembership,
    Visit,
    VisitChange,
    VisitStatus,
)

AUDIT_FIELDS = ("id", "created_at", "updated_at")


class ResearchQuestionInline(admin.TabularInline):
    model = ResearchQuestion
    fields = ("position", "text")
    extra = 0


def _audit_role(
    request: HttpRequest, membership: StudyMembership, *, removed: bool = False
) -> None:
    """Record a role change made in the admin, as the services record the API's."""
    previous = StudyMembership.objects.filter(pk=membership.pk).values_list("role", flat=True)
    before = previous.first()
    if removed:
        action, detail = AuditAction.ROLE_REVOKED, {"previous_role": membership.role}
    elif before is None:
        action, detail = AuditAction.ROLE_GRANTED, {"role": membership.role}
    elif before != membership.role:
        action, detail = (
            AuditAction.ROLE_CHANGED,
            {"role": membership.role, "previous_role": before},
        )
    else:
        return
    audit_record(
        actor=request.user,
        action=action,
        study_id=membership.study_id,
        target=membership.user.get_username(),
        detail=detail,
        request=request,
    )


class StudyMembershipInline(admin.TabularInline):
    model = StudyMembership
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "cadence", "time_zone", "member_count", "round_count")
    list_filter = ("status", "cadence", "time_zone")
    search_fields = ("title", "why")
    readonly_fields = AUDIT_FIELDS
    inlines = (ResearchQuestionInline, StudyMembershipInline)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is StudyMembership:
            # Audited before saving: the record compares with the role stored now.
            for inline_form in formset.forms:
                membership = inline_form.instance
                if not inline_form.has_changed() or membership.user_id is None:
                    continue
                deleted = formset.can_delete and formset._should_delete_form(inline_form)
                if deleted and membership.pk and not membership._state.adding:
                    _audit_role(request, membership, removed=True)
                elif not deleted:
                    _audit_role(request, membership)
        super().save_formset(request, form, formset, change)

    fieldsets = (
        (None, {"fields": ("title", "why", "status", "cadence", "time_zone")}),
        (
            _("Planning"),
            {
                "fields": (
                    "planning_lead_days",
                    "visit_minutes",
                    "travel_minutes",
                    "workday_start",
                    "workday_end",
                )
            },
        ),
        (_("Record"), {"fields": AUDIT_FIELDS, "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Study]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count("memberships", distinct=True),
                round_total=Count("rounds", distinct=True),
            )
        )

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, study: Study) -> int:
        return study.member_total

    @admin.display(description=_("rounds"), ordering="round_total")
    def round_count(self, study: Study) -> int:
        return study.round_total


@admin.register(ResearchQuestion)
class ResearchQuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "study", "position")
    list_filter = ("study",)
    list_select_related = ("study",)
    search_fields = ("text", "study__title")
    readonly_fields = AUDIT_FIELDS


@admin.register(StudyMembership)
class StudyMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "study")
    list_filter = ("role", "study")
    list_select_related = ("user", "study")
    search_fields = ("user__username", "user__first_name", "user__last_name", "study__title")
    autocomplete_fields = ("user", "study")
    readonly_fields = AUDIT_FIELDS

    def save_model(
        self, request: HttpRequest, obj: StudyMembership, form: Any, change: bool
    ) -> None:
        _audit_role(request, obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: StudyMembership) -> None:
        _audit_role(request, obj, removed=True)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[StudyMembership]) -> None:
        for membership in queryset.select_related("user"):
            _audit_role(request, membership, removed=True)
        super().delete_queryset(request, queryset)


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    fields = ("study", "left_at")
    autocomplete_fields = ("study",)
    extra = 0


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("household", "study", "created_at", "left_at")
    list_filter = ("study", ("left_at", admin.EmptyFieldListFilter))
    list_select_related = ("household", "study")
    search_fields = ("household__code", "study__title")
    autocomplete_fields = ("household", "study")
    readonly_fields = AUDIT_FIELDS


class GuideQuestionInline(admin.TabularInline):
    model = GuideQuestion
    fields = ("position", "text")
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = (
        "label",
        "study",
        "window_start",
        "window_end",
        "planned_automatically",
        "visit_count",
    )
    list_filter = ("study", "planned_automatically")
    list_select_related = ("study",)
    search_fields = ("label", "study__title")
    autocomplete_fields = ("study",)
    readonly_fields = ("planned_automatically", *AUDIT_FIELDS)
    date_hierarchy = "window_start"
    inlines = (GuideQuestionInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Round]:
        return super().get_queryset(request).annotate(visit_total=Count("visits"))

    @admin.display(description=_("visits"), ordering="visit_total")
    def visit_count(self, round_: Round) -> int:
        return round_.visit_total


@admin.register(GuideQuestion)
class GuideQuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "round", "position")
    list_filter = ("round__study",)
    list_select_related = ("round__study",)
    search_fields = ("text", "round__label")
    autocomplete_fields = ("round",)
    readonly_fields = AUDIT_FIELDS


@admin.register(NextGuideQuestion)
class NextGuideQuestionAdmin(admin.ModelAdmin):
    """The guide a study's next round will ask; its lead writes it on the guide page."""

    list_display = ("text", "section", "study", "position")
    list_filter = ("study",)
    list_select_related = ("study",)
    search_fields = ("text", "section", "study__title")
    readonly_fields = ("key", *AUDIT_FIELDS)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are sent, accepted and withdrawn on the team page; here they are read.
    The link's secret is not kept, so nothing here can open one."""

    list_display = ("email", "role", "study", "invited_by", "expires_at", "accepted_at")
    list_filter = ("role", "study")
    list_select_related = ("study", "invited_by")
    search_fields = ("email", "study__title")
    exclude = ("token_hash",)


@admin.register(PanelImport)
class PanelImportAdmin(ReadOnlyAdmin):
    """What was imported into which panel, when and by whom; the file's cells (names and
    contacts) are not shown."""

    list_display = ("file_name", "study", "status", "new_count", "problem_count", "created_at")
    list_filter = ("status", "study")
    list_select_related = ("study",)
    search_fields = ("file_name", "study__title")
    fields = (
        "study",
        "created_by",
        "file_name",
        "file_size",
        "status",
        "rows_total",
        "new_count",
        "unchanged_count",
        "problem_count",
        "imported_at",
        "created_at",
    )


class VisitChangeInline(admin.TabularInline):
    """A visit's history: written by the services, never edited."""

    model = VisitChange
    fk_name = "visit"
    fields = (
        "created_at",
        "kind",
        "actor",
        "from_status",
        "to_status",
        "from_start",
        "to_start",
        "from_researcher",
        "to_researcher",
        "note",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("created_at",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


BOOKING_FIELDS = ("round", "household", "researcher", "scheduled_start", "scheduled_end")


class VisitAdminForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = BOOKING_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Fields shown read-only are not in the form; fall back to the stored visit.
        booking = {
            name: data.get(name) if name in self.fields else getattr(self.instance, name, None)
            for name in BOOKING_FIELDS
        }
        if any(value is None for value in booking.values()) or self.errors:
            return data
        editing = self.instance.pk is not None
        try:
            services.validate_booking(
                round_=booking["round"],
                household=booking["household"],
                researcher=booking["researcher"],
                start=booking["scheduled_start"],
                end=booking["scheduled_end"],
                exclude_visit=self.instance if editing else None,
            )
        except ValidationError as exc:
            self.add_error(None, exc)
            return data
        if (
            not editing
            and Visit.objects.filter(round=booking["round"], household=booking["household"])
            .exclude(status__in=[VisitStatus.CANCELLED, VisitStatus.NO_SHOW])
            .exists()
        ):
            self.add_error(
                "household",
                gettext("%(code)s already has a visit in this round.")
                % {"code": booking["household"].code},
            )
        return data


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    form = VisitAdminForm
    list_display = ("household", "round", "researcher", "scheduled_start", "status")
    list_filter = ("status", "round__study", "round", "researcher")
    list_select_related = ("household", "round__study", "researcher")
    search_fields = ("household__code", "round__label", "researcher__username")
    autocomplete_fields = ("round", "household", "researcher")
    date_hierarchy = "scheduled_start"
    inlines = (VisitChangeInline,)
    actions = ("mark_cancelled", "mark_no_show")
    STATUS_FIELDS = ("status", "started_at", "finished_at", "reminder_sent_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Visit | None = None) -> tuple:
        if obj is None:
            return ()
        # A visit stays with its round and household; only a scheduled one can be moved.
        # Status changes go through the actions, which apply the allowed transitions.
        if obj.status != VisitStatus.SCHEDULED:
            return (*BOOKING_FIELDS, *self.STATUS_FIELDS, *AUDIT_FIELDS)
        return ("round", "household", *self.STATUS_FIELDS, *AUDIT_FIELDS)

    def get_fields(self, request: HttpRequest, obj: Visit | None = None) -> tuple:
        if obj is None:
            return BOOKING_FIELDS
        return (*BOOKING_FIELDS, *self.STATUS_FIELDS, *AUDIT_FIELDS)

    def save_model(self, request: HttpRequest, obj: Visit, form: Any, change: bool) -> None:
        if not change:
            visit = services.visit_create(
                round_=obj.round,
                household=obj.household,
                researcher=obj.researcher,
                start=obj.scheduled_start,
                end=obj.scheduled_end,
                actor=request.user,
            )
            # The admin goes on with `obj` (messages, log entry, redirect): make it the
            # row the service created.
            obj.pk, obj.status = visit.pk, visit.status
            obj.created_at, obj.updated_at = visit.created_at, visit.updated_at
            obj._state.adding = False
            obj._state.db = visit._state.db
            return
        if {"researcher", "scheduled_start", "scheduled_end"} & set(form.changed_data):
            services.visit_reschedule(
                visit=obj,
                actor=request.user,
                start=obj.scheduled_start,
                end=obj.scheduled_end,
                researcher=obj.researcher,
                note=gettext("Changed in the admin."),
            )

    def _transition(self, request: HttpRequest, queryset: QuerySet[Visit], status: str) -> None:
        done, refused = 0, []
        for visit in queryset:
            try:
                services.visit_transition(visit=visit, actor=request.user, to_status=status)
            except ValidationError as exc:
                refused.append(f"{visit.household.code}: {' '.join(exc.messages)}")
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d visit updated.", "%(count)d visits updated.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description=_("Cancel the selected visits"))
    def mark_cancelled(self, request: HttpRequest, queryset: QuerySet[Visit]) -> None:
        self._transition(request, queryset, VisitStatus.CANCELLED)

    @admin.action(description=_("Mark the selected visits as no-shows"))
    def mark_no_show(self, request: HttpRequest, queryset: QuerySet[Visit]) -> None:
        self._transition(request, queryset, VisitStatus.NO_SHOW)


@admin.register(VisitChange)
class VisitChangeAdmin(ReadOnlyAdmin):
    """History is evidence of what happened: it can be read, never written."""

    list_display = ("visit", "kind", "from_status", "to_status", "actor", "created_at")
    list_filter = ("kind", "to_status")
    list_select_related = ("visit__household", "visit__round", "actor")
    search_fields = ("visit__household__code", "note")
    date_hierarchy = "created_at"


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ("researcher", "weekday", "start_time", "end_time")
    list_filter = ("weekday",)
    list_select_related = ("researcher",)
    search_fields = ("researcher__username", "researcher__first_name", "researcher__last_name")
    autocomplete_fields = ("researcher",)
    readonly_fields = AUDIT_FIELDS


class ActiveFeedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("active", _("Active")), ("revoked", _("Revoked"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[CalendarFeed]
    ) -> QuerySet[CalendarFeed]:
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(CalendarDeparture)
class CalendarDepartureAdmin(admin.ModelAdmin):
    """Visits handed away from a researcher, shown as cancelled in her feed for 30 days:
    written by the services when a visit changes hands, forgotten by a daily job."""

    list_display = ("researcher", "household_code", "scheduled_start", "departed_at", "sequence")
    list_select_related = ("researcher",)
    search_fields = ("researcher__username", "household_code")
    date_hierarchy = "departed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    # The token is a secret that opens the feed; the admin never shows it.
    list_display = ("researcher", "created_at", "revoked_at")
    list_filter = (ActiveFeedFilter,)
    list_select_related = ("researcher",)
    search_fields = ("researcher__username",)
    fields = ("researcher", "revoked_at", *AUDIT_FIELDS)
    readonly_fields = ("revoked_at", *AUDIT_FIELDS)
    autocomplete_fields = ("researcher",)
    actions = ("revoke",)

    @admin.action(description=_("Revoke the selected feeds"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[CalendarFeed]) -> None:
        researchers = {feed.researcher for feed in queryset.select_related("researcher")}
        for researcher in researchers:
            services.calendar_feed_revoke(researcher=researcher)
        self.message_user(
            request,
            ngettext(
                "Feeds of %(count)d researcher revoked.",
                "Feeds of %(count)d researchers revoked.",
                len(researchers),
            )
            % {"count": len(researchers)},
            messages.SUCCESS,
        )
