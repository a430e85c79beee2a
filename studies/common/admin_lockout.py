"""The admin's view of sign-in lock-outs: axes' AccessAttempt admin, with an audited lift.

Imported by studies/common/admin.py, after axes' own admin has registered (axes comes
before studies.common in INSTALLED_APPS). The admin's sign-in form is serialised too.
"""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from studies.common.lockout import AdminSignInForm, lockout_lift

admin.site.login_form = AdminSignInForm

admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    actions = ["lift_lockout"]

    @admin.action(description=_("Lift lock-out"), permissions=["delete"])
    def lift_lockout(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        lifted = lockout_lift(actor=request.user, attempts=queryset, request=request)
        self.message_user(
            request,
            ngettext(
                "Lifted the lock-out of %(count)d sign-in record.",
                "Lifted the lock-out of %(count)d sign-in records.",
                lifted,
            )
            % {"count": lifted},
            messages.SUCCESS,
        )

    # Deleting a record lifts its lock-out too: it is audited the same way.
    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        lockout_lift(
            actor=request.user, attempts=AccessAttempt.objects.filter(pk=obj.pk), request=request
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        lockout_lift(actor=request.user, attempts=queryset, request=request)
