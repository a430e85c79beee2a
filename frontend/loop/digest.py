"""The weekly digest's pages: a person's digest setting, and the switch-off link of its e-mails.

The switch-off page needs no sign-in: the signed token in its URL is the credential. It
changes nothing on GET, because mail scanners and link previews fetch links people never
clicked; only the confirm button's POST switches the digest off. That POST is exempt from
CSRF checks: a cookie-less request is how mail programs use a one-click List-Unsubscribe
(RFC 8058), and a forged request gains nothing, since it needs the token it carries.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from studies.loop.services.digest import (
    TEAM_NAME,
    InvalidOffLink,
    digest_off_user,
    digest_team_studies,
    weekly_digest_set,
)


class DigestSettingsForm(forms.Form):
    weekly_digest = forms.BooleanField(
        label=gettext_lazy("Send me the weekly digest"), required=False
    )


@require_http_methods(["GET", "POST"])
@login_required
def digest_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        # An unticked box is not sent at all: any POST is a valid answer, off or on.
        form = DigestSettingsForm(request.POST)
        form.is_valid()
        enabled = bool(form.cleaned_data.get("weekly_digest"))
        weekly_digest_set(user=user, enabled=enabled)
        messages.success(
            request,
            _("The weekly digest is on: it comes on Monday mornings.")
            if enabled
            else _("The weekly digest is off: you will get no more digest e-mails."),
        )
        return redirect("frontend:digest-settings")
    teams = [
        {"name": TEAM_NAME[kind], "studies": studies}
        for kind, studies in digest_team_studies(user=user).items()
    ]
    context = {
        "form": DigestSettingsForm(initial={"weekly_digest": user.weekly_digest}),
        "teams": teams,
    }
    return render(request, "frontend/digest_settings.html", context)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_off(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = digest_off_user(token=token)
    except InvalidOffLink as error:
        return render(
            request, "frontend/digest_off.html", {"problem": error.messages[0]}, status=400
        )
    switched_off = request.method == "POST"
    if switched_off:
        weekly_digest_set(user=user, enabled=False)
    context = {"token": token, "switched_off": switched_off, "is_on": user.weekly_digest}
    return render(request, "frontend/digest_off.html", context)
