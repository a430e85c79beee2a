"""The API tokens page: a person's tokens for integrations, made, listed and revoked here.

A new key is shown once, in the answer to the form that made it, and is never stored:
the page is not a redirect (the key would have to wait in the session) and is not cached.
"""

import datetime as dt
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from frontend.refusals import ServiceErrorsMixin, status_for
from studies.accounts import access, selectors, services
from studies.accounts.models import ApiToken

NEVER = "never"


class ApiTokenForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=gettext_lazy(
            "What it is for, such as “Zapier export”, so you know which one to revoke later."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    expires_in = forms.ChoiceField(
        label=gettext_lazy("Expires"),
        choices=[
            ("30", gettext_lazy("In 30 days")),
            ("90", gettext_lazy("In 90 days")),
            ("365", gettext_lazy("In a year")),
            (NEVER, gettext_lazy("Never")),
        ],
        initial="90",
    )

    def expires_at(self) -> dt.datetime | None:
        days = self.cleaned_data["expires_in"]
        return None if days == NEVER else timezone.now() + dt.timedelta(days=int(days))


def _tokens_page(
    request: HttpRequest,
    form: ApiTokenForm | None = None,
    new_token: ApiToken | None = None,
    new_key: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "tokens": list(selectors.api_token_list(user=request.user)),
        "form": form or ApiTokenForm(),
        "new_token": new_token,
        "new_key": new_key,
        "now": timezone.now(),
    }
    return render(request, "frontend/tokens.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _tokens_page(request)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form=form, status=400)
    try:
        token, key = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
        )
    except ValidationError as error:
        form.add_service_error(error)
        return _tokens_page(request, form=form, status=status_for(error))
    return _tokens_page(request, new_token=token, new_key=key)


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    token = access.api_token_get_for_user(user=request.user, token_id=token_id)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(
        request,
        _("“%(name)s” is revoked: integrations using it are refused from now on.")
        % {"name": token.name},
    )
    return redirect("frontend:tokens")
