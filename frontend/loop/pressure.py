"""The insight page's pressure-test forms: put the insight up, score it, change one's scores.

Each redirects back to the insight's pressure-test section with a message; a refusal
re-renders the insight page with the messages next to the form (400 for bad input, 409
for a clash with what is there: put up twice, scored twice).
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontend.boards.insight import insight_page
from frontend.loop.pressure_section import PressureReviewForm
from frontend.refusals import messages_of, status_for
from studies.common.roles import Capability
from studies.loop.access import pressure_test_get_for_user
from studies.loop.models import PressureTest
from studies.loop.services import pressure as services
from studies.synthesis.access import insight_get_for_user


def _back(insight_id: uuid.UUID) -> HttpResponse:
    return redirect(reverse("frontend:insight", args=[insight_id]) + "#pressure-test")


@require_POST
@login_required
def pressure_test_open(request: HttpRequest, insight_id: uuid.UUID) -> HttpResponse:
    insight = insight_get_for_user(
        user=request.user, insight_id=insight_id, capability=Capability.OPEN_PRESSURE_TEST
    )
    try:
        services.pressure_test_open(insight=insight, actor=request.user)
    except ValidationError as error:
        return insight_page(
            request, insight, status=status_for(error), pressure_errors=messages_of(error)
        )
    messages.success(request, _("The insight is up for a pressure test."))
    return _back(insight.pk)


def _score(request: HttpRequest, insight_id: uuid.UUID, *, change: bool) -> HttpResponse:
    test: PressureTest = pressure_test_get_for_user(
        user=request.user, insight_id=insight_id, capability=Capability.REVIEW_PRESSURE_TEST
    )
    form = PressureReviewForm(request.POST)
    if not form.is_valid():
        return insight_page(request, test.insight, status=400, pressure_form=form)
    data = form.cleaned_data
    write = services.pressure_review_update if change else services.pressure_review_submit
    try:
        write(
            test=test,
            reviewer=request.user,
            importance=data["importance"],
            differentiation=data["differentiation"],
            feasibility=data["feasibility"],
            comment=data["comment"],
        )
    except ValidationError as error:
        form.add_service_error(error)
        return insight_page(request, test.insight, status=status_for(error), pressure_form=form)
    messages.success(request, _("Your scores are changed.") if change else _("Your scores are in."))
    return _back(test.insight.pk)


@require_POST
@login_required
def pressure_review_submit(request: HttpRequest, insight_id: uuid.UUID) -> HttpResponse:
    return _score(request, insight_id, change=False)


@require_POST
@login_required
def pressure_review_change(request: HttpRequest, insight_id: uuid.UUID) -> HttpResponse:
    return _score(request, insight_id, change=True)
