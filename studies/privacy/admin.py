"""Admin for households, their personal data and consent, and erasure records.

Opening a household or its contact record shows personal data, so each view is audited;
consent is given and withdrawn through studies.privacy.services, as in the API, so the
change takes effect everywhere and is audited too.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from studies.common.admin import ReadOnlyAdmin
from studies.common.audit import audit_record
from studies.common.models import AuditAction
from studies.privacy import services
from studies.privacy.models import Erasure
from studies.scheduling.admin import AUDIT_FIELDS, EnrolmentInline
from studies.scheduling.models import Consent, Household, HouseholdContact


def _audit_view(request: HttpRequest, household_codes: list[str], where: str) -> None:
    if household_codes:
        audit_record(
            actor=request.user,
            action=AuditAction.PERSONAL_DATA_VIEWED,
            target=household_codes[0] if len(household_codes) == 1 else "",
            detail={"households": household_codes, "where": where},
            request=request,
        )


class AuditedChangeViewMixin:
    """Opening one record shows personal data: the audit log records whose."""

    audit_where: str

    def household_code(self, obj: Any) -> str:
        raise NotImplementedError

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        # The page's own object, as the admin loaded it: no second query for it.
        shown = getattr(response, "context_data", None) or {}
        if request.method == "GET" and response.status_code == 200 and shown.get("original"):
            _audit_view(request, [self.household_code(shown["original"])], self.audit_where)
        return response


class HouseholdContactInline(admin.StackedInline):
    model = HouseholdContact
    fields = ("name", "address", "phone", "email")
    can_delete = False
    extra = 0
    min_num = 0


class ConsentInline(admin.TabularInline):
    """Consent as recorded; it changes through the consent admin, which applies it."""

    model = Consent
    fields = ("kind", "version", "given_at", "withdrawn_at", "recorded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ErasureForm(forms.Form):
    requested_on = forms.DateField(label=_("Request received on"), initial=timezone.localdate)
    reference = forms.CharField(
        label=_("Request reference"),
        max_length=200,
        required=False,
        help_text=_("e.g. a ticket number; no personal data."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand this deletes the household's personal data, photos and "
            "observations for good."
        ),
    )


@admin.register(Household)
class HouseholdAdmin(AuditedChangeViewMixin, admin.ModelAdmin):
    # The list shows the pseudonym and segment only; names and addresses stay in the
    # contact record, reached by opening one household.
    list_display = ("code", "segment_summary", "participation", "study_count", "erased_at")
    search_fields = ("code",)
    list_filter = ("enrolments__study", ("erased_at", admin.EmptyFieldListFilter))
    readonly_fields = ("erased_at", *AUDIT_FIELDS)
    fields = ("code", "segment", "segment_phrase", "erased_at", *AUDIT_FIELDS)
    inlines = (HouseholdContactInline, ConsentInline, EnrolmentInline)
    actions = ("erase",)
    audit_where = "admin household"

    def household_code(self, obj: Household) -> str:
        return obj.code

    def get_queryset(self, request: HttpRequest) -> QuerySet[Household]:
        now = timezone.now()
        return (
            super()
            .get_queryset(request)
            .annotate(
                study_total=Count("enrolments", filter=Q(enrolments__left_at__isnull=True)),
                participation_total=Count(
                    "consents",
                    filter=Q(consents__kind="participation", consents__given_at__lte=now)
                    & (Q(consents__withdrawn_at__isnull=True) | Q(consents__withdrawn_at__gt=now)),
                ),
            )
        )

    @admin.display(description=_("segment"))
    def segment_summary(self, household: Household) -> str:
        return ", ".join(f"{key}: {value}" for key, value in household.segment.items())

    @admin.display(description=_("participation consent"), boolean=True)
    def participation(self, household: Household) -> bool:
        return household.participation_total > 0

    @admin.display(description=_("studies"), ordering="study_total")
    def study_count(self, household: Household) -> int:
        return household.study_total

    @admin.action(description=_("Carry out an erasure request for the selected households"))
    def erase(self, request: HttpRequest, queryset: QuerySet[Household]) -> HttpResponse | None:
        form = ErasureForm(request.POST if "confirm_erasure" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/privacy/erase_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": gettext("Erase households"),
                    "households": queryset,
                    "form": form,
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        erased = 0
        for household in queryset:
            try:
                services.household_erase(
                    household=household,
                    actor=request.user,
                    requested_on=form.cleaned_data["requested_on"],
                    reference=form.cleaned_data["reference"],
                    request=request,
                )
                erased += 1
            except ValidationError as error:
                self.message_user(
                    request, f"{household.code}: {' '.join(error.messages)}", messages.ERROR
                )
        if erased:
            self.message_user(
                request,
                ngettext("Erased %(count)d household.", "Erased %(count)d households.", erased)
                % {"count": erased},
                messages.SUCCESS,
            )
        return None


@admin.register(HouseholdContact)
class HouseholdContactAdmin(AuditedChangeViewMixin, admin.ModelAdmin):
    list_display = ("household", "name", "email", "phone")
    list_select_related = ("household",)
    search_fields = ("household__code", "name", "email", "phone")
    autocomplete_fields = ("household",)
    readonly_fields = AUDIT_FIELDS
    audit_where = "admin contact"

    def household_code(self, obj: HouseholdContact) -> str:
        return obj.household.code

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        shown = getattr(response, "context_data", {}).get("cl")
        if shown is not None:
            _audit_view(
                request, [contact.household.code for contact in shown.result_list], "admin list"
            )
        return response

    def save_model(
        self, request: HttpRequest, obj: HouseholdContact, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.PERSONAL_DATA_CHANGED,
            target=obj.household.code,
            detail={"fields": sorted(form.changed_data)},
            request=request,
        )


class InForceFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("In force")), ("no", _("Withdrawn or not yet given"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Consent]) -> QuerySet[Consent]:
        in_force = Consent.objects.in_force().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=in_force)
        if self.value() == "no":
            return queryset.exclude(pk__in=in_force)
        return queryset


class ConsentAdminForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ("household", "kind", "version", "given_at")

    def clean_given_at(self) -> Any:
        given_at = self.cleaned_data["given_at"]
        if given_at and given_at > timezone.now():
            raise ValidationError(gettext("Consent cannot be given in the future."))
        return given_at


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Consent is recorded here and withdrawn by the action, both through the services:
    a consent record is evidence of what was agreed, so it is never edited or deleted."""

    list_display = ("household", "kind", "version", "given_at", "withdrawn_at", "recorded_by")
    list_filter = ("kind", InForceFilter, "version")
    list_select_related = ("household", "recorded_by")
    search_fields = ("household__code",)
    autocomplete_fields = ("household",)
    form = ConsentAdminForm
    fields = ("household", "kind", "version", "given_at")
    date_hierarchy = "given_at"
    actions = ("withdraw",)

    def get_readonly_fields(self, request: HttpRequest, obj: Consent | None = None) -> Any:
        if obj is None:
            return ()
        return ("household", "kind", "version", "given_at", "withdrawn_at", "recorded_by")

    def get_fields(self, request: HttpRequest, obj: Consent | None = None) -> Any:
        if obj is None:
            return self.fields
        return ("household", "kind", "version", "given_at", "withdrawn_at", "recorded_by")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Consent, form: Any, change: bool) -> None:
        if change:
            return
        consent = services.consent_give(
            household=obj.household,
            kind=obj.kind,
            version=obj.version,
            actor=request.user,
            given_at=obj.given_at,
            request=request,
        )
        obj.pk, obj.recorded_by = consent.pk, consent.recorded_by
        obj._state.adding = False

    @admin.action(description=_("Withdraw the selected consents now"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Consent]) -> None:
        withdrawn = 0
        for consent in queryset.filter(withdrawn_at__isnull=True):
            services.consent_withdraw(consent=consent, actor=request.user, request=request)
            withdrawn += 1
        self.message_user(
            request,
            ngettext("Withdrew %(count)d consent.", "Withdrew %(count)d consents.", withdrawn)
            % {"count": withdrawn},
            messages.SUCCESS,
        )


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ("household_code", "requested_on", "created_at", "performed_by_username")
    search_fields = ("household_code", "reference")
    date_hierarchy = "created_at"
    fields = (
        "household_code",
        "requested_on",
        "reference",
        "performed_by_username",
        "removed",
        "created_at",
    )
    readonly_fields = fields
