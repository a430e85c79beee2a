from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from studies.accounts import services
from studies.accounts.models import ApiToken, ApiTokenStatus
from studies.common.admin import ReadOnlyAdmin


class ApiTokenStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(ApiTokenStatus.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        now = timezone.now()
        live = queryset.filter(revoked_at__isnull=True)
        if self.value() == ApiTokenStatus.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == ApiTokenStatus.EXPIRED:
            return live.filter(expires_at__lte=now)
        if self.value() == ApiTokenStatus.ACTIVE:
            return live.exclude(expires_at__lte=now)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    # People make their own tokens (the key is shown to them once); the admin only sees
    # them and revokes them. The key's hash is never shown.
    list_display = ("name", "user", "prefix", "status", "created_at", "last_used_at", "expires_at")
    list_filter = (ApiTokenStatusFilter,)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    fields = (
        "user",
        "name",
        "prefix",
        "status",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = fields
    actions = ("revoke",)

    @admin.display(description=_("status"))
    def status(self, token: ApiToken) -> str:
        return str(token.status.label)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        # Read-only is about the fields; revoking still takes the right to change tokens.
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        for token in tokens:
            services.api_token_revoke(token=token, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
        )
