"""The server-rendered pages. Thin: access functions, selectors and services do the work.

Refusals from services re-render the page with the message next to the field and a 4xx
status (400 for bad input, 409 for a clash with the current state), never a 500.
"""

import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontend.forms import AvailabilityFormSet, VisitRescheduleForm
from frontend.refusals import errors_of, flash_refusal, messages_of, status_for
from studies.common.audit import audit_personal_data_shown
from studies.common.roles import Capability, Role, role_can
from studies.fieldwork import selectors as fieldwork_selectors
from studies.scheduling import access, policies, selectors, services
from studies.scheduling.models import Household, HouseholdContact, Visit, VisitStatus
from studies.scheduling.periods import next_period
from studies.synthesis.selectors import marketing_consent_in_force

# The button each allowed transition gets on the visit page, in the order shown.
TRANSITION_BUTTONS = {
    VisitStatus.IN_PROGRESS: gettext_lazy("Start visit"),
    VisitStatus.COMPLETED: gettext_lazy("Finish visit"),
    VisitStatus.NO_SHOW: gettext_lazy("Mark as no-show"),
    VisitStatus.CANCELLED: gettext_lazy("Cancel visit"),
}


REOPEN_BUTTON = gettext_lazy("Reopen visit")


def _role_label(role: str | None) -> str:
    return str(Role(role).label) if role else ""


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    studies = list(selectors.study_list_with_next_round(user=request.user, today=today))
    for study in studies:
        study.my_role_label = _role_label(study.my_role)
    visits = list(selectors.visit_list_upcoming(user=request.user))
    context = {
        "studies": studies,
        "visits": visits,
        "today": today,
        # A lead of a study listed here may start another without asking the database.
        "can_start_study": any(study.my_role == Role.RESEARCH_LEAD for study in studies)
        or access.can_start_study(request.user),
    }
    return render(request, "frontend/home.html", context)


@dataclass
class PanelRow:
    household: Household
    contact: HouseholdContact | None  # None unless the viewer may see personal data


def _study_page(request: HttpRequest, study_id: object, status: int = 200) -> HttpResponse:
    study = access.study_get_for_user(user=request.user, study_id=study_id)
    role = study.viewer_role
    personal = role_can(role, Capability.VIEW_PERSONAL_DATA)
    panel = [
        # A household without a contact row has no personal data to show.
        PanelRow(
            household=household, contact=getattr(household, "contact", None) if personal else None
        )
        for household in selectors.panel_list(study=study, with_personal_data=personal)
    ]
    audit_personal_data_shown(
        request=request,
        household_codes=[row.household.code for row in panel if row.contact is not None],
        where="study page",
        study_id=study.pk,
    )
    rounds = list(selectors.round_list_with_progress(study=study))
    upcoming = next_period(study.cadence, services.study_today(study))
    context = {
        "study": study,
        "role_label": _role_label(role),
        "can_manage": role_can(role, Capability.MANAGE_STUDY),
        "can_synthesise": role_can(role, Capability.SYNTHESISE),
        "can_view_personal_data": personal,
        "questions": list(selectors.question_list(study=study)),
        "team": list(selectors.team_list(study=study)),
        "rounds": rounds,
        "panel": panel,
        "next_period": upcoming,
        "next_round_planned": any(round_.label == upcoming.label for round_ in rounds),
    }
    return render(request, "frontend/study.html", context, status=status)


@require_GET
@login_required
def study_detail(request: HttpRequest, study_id: object) -> HttpResponse:
    return _study_page(request, study_id)


@require_POST
@login_required
def study_plan_next(request: HttpRequest, study_id: object) -> HttpResponse:
    study = access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )
    try:
        outcome = services.round_plan_next(study=study)
    except ValidationError as error:
        return _study_page(request, study.pk, status=flash_refusal(request, error))
    messages.success(
        request,
        ngettext(
            "Round %(label)s is planned with %(count)d visit.",
            "Round %(label)s is planned with %(count)d visits.",
            len(outcome.visits),
        )
        % {"label": outcome.round.label, "count": len(outcome.visits)},
    )
    if outcome.unplaced:
        messages.warning(
            request,
            ngettext(
                "%(count)d household found no free slot: %(codes)s.",
                "%(count)d households found no free slot: %(codes)s.",
                len(outcome.unplaced),
            )
            % {
                "count": len(outcome.unplaced),
                "codes": ", ".join(household.code for household in outcome.unplaced),
            },
        )
    return redirect("frontend:round", round_id=outcome.round.pk)


@require_GET
@login_required
def round_detail(request: HttpRequest, round_id: object) -> HttpResponse:
    round_ = access.round_get_for_user(user=request.user, round_id=round_id)
    role = round_.study.viewer_role
    context = {
        "round": round_,
        "study": round_.study,
        "can_manage": role_can(role, Capability.MANAGE_STUDY),
        "guide": list(selectors.guide_list(round_=round_)),
        "visits": list(selectors.round_visit_list(round_=round_)),
    }
    return render(request, "frontend/round.html", context)


def _visit_page(
    request: HttpRequest, visit: Visit, status: int = 200, errors: list[str] | None = None
) -> HttpResponse:
    study = visit.round.study
    role = study.viewer_role
    personal = role_can(role, Capability.VIEW_PERSONAL_DATA)
    can_conduct = policies.may_conduct_visit(
        role=role, researcher_id=visit.researcher_id, user_id=request.user.pk
    )
    allowed = set(services.TRANSITIONS[visit.status]) if can_conduct else set()
    reopen = visit.status == VisitStatus.COMPLETED and policies.may_reopen_visit(
        role=role, visit=visit, user_id=request.user.pk, now=timezone.now()
    )
    if visit.status == VisitStatus.COMPLETED:
        allowed = set()
    contact = (
        selectors.household_contact_get(household=visit.household, study=study)
        if personal
        else None
    )
    if contact is not None:
        audit_personal_data_shown(
            request=request,
            household_codes=[visit.household.code],
            where="visit page",
            study_id=study.pk,
        )
    context = {
        "visit": visit,
        "round": visit.round,
        "study": study,
        "contact": contact,
        "can_view_personal_data": personal,
        "can_manage": role_can(role, Capability.MANAGE_STUDY)
        and visit.status == VisitStatus.SCHEDULED,
        "transitions": [
            (to_status, label)
            for to_status, label in TRANSITION_BUTTONS.items()
            if to_status in allowed
        ]
        + ([(VisitStatus.IN_PROGRESS, REOPEN_BUTTON)] if reopen else []),
        "history": list(selectors.visit_change_list(visit=visit)),
        "guide": list(selectors.guide_list(round_=visit.round)),
        "captured": fieldwork_selectors.visit_captured_list(visit=visit),
        # Its quotes are labelled "Not for marketing use" unless this is in force now.
        "marketing_cleared": Household.objects.filter(pk=visit.household_id)
        .filter(marketing_consent_in_force("pk"))
        .exists(),
        "can_capture": can_conduct,
        "errors": errors or [],
    }
    return render(request, "frontend/visit.html", context, status=status)


@require_GET
@login_required
def visit_detail(request: HttpRequest, visit_id: object) -> HttpResponse:
    return _visit_page(request, access.visit_get_for_user(user=request.user, visit_id=visit_id))


@require_POST
@login_required
def visit_transition(request: HttpRequest, visit_id: object) -> HttpResponse:
    visit = access.visit_get_for_user(
        user=request.user, visit_id=visit_id, capability=Capability.CONDUCT_VISITS
    )
    to_status = request.POST.get("to_status", "")
    try:
        visit = services.visit_transition(visit=visit, actor=request.user, to_status=to_status)
    except ValidationError as error:
        visit = access.visit_get_for_user(user=request.user, visit_id=visit.pk)
        return _visit_page(request, visit, status=status_for(error), errors=messages_of(error))
    messages.success(
        request, _("The visit is now %(status)s.") % {"status": visit.get_status_display().lower()}
    )
    # The capture screen starts and finishes visits too; a named target, not a URL, so
    # the form cannot be turned into an open redirect.
    if request.POST.get("return_to") == "capture":
        return redirect("frontend:visit-capture", visit_id=visit.pk)
    return redirect("frontend:visit", visit_id=visit.pk)


@require_GET
@login_required
def visit_finish(request: HttpRequest, visit_id: object) -> HttpResponse:
    """The confirmation step before finishing: what finishing means, what is still waiting
    on this phone (filled in there), and the way back to capturing."""
    visit = access.visit_get_for_user(
        user=request.user, visit_id=visit_id, capability=Capability.CONDUCT_VISITS
    )
    context = {
        "visit": visit,
        "round": visit.round,
        "study": visit.round.study,
        "can_finish": VisitStatus.COMPLETED in services.TRANSITIONS[visit.status],
        "lead": role_can(visit.round.study.viewer_role, Capability.MANAGE_STUDY),
        "reopen_hours": int(policies.REOPEN_GRACE.total_seconds() // 3600),
        # A named target, as visit_transition takes it.
        "return_to": "capture" if request.GET.get("return_to") == "capture" else "visit",
    }
    return render(request, "frontend/visit_finish.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def visit_edit(request: HttpRequest, visit_id: object) -> HttpResponse:
    visit = access.visit_get_for_user(
        user=request.user, visit_id=visit_id, capability=Capability.MANAGE_STUDY
    )
    study = visit.round.study
    researchers = selectors.researcher_list(study=study)
    status = 200
    if request.method == "POST":
        form = VisitRescheduleForm(request.POST, researchers=researchers, time_zone=study.time_zone)
        if form.is_valid():
            try:
                services.visit_reschedule(
                    visit=visit,
                    actor=request.user,
                    start=form.start(),
                    researcher=form.cleaned_data["researcher"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_service_error(error)
                status = status_for(error)
            else:
                messages.success(
                    request, _("Visit to %(code)s updated.") % {"code": visit.household.code}
                )
                return redirect("frontend:round", round_id=visit.round_id)
        else:
            status = 400
    else:
        local_start = timezone.localtime(visit.scheduled_start, zoneinfo.ZoneInfo(study.time_zone))
        form = VisitRescheduleForm(
            initial={
                "date": local_start.date(),
                "start_time": local_start.time(),
                "researcher": visit.researcher_id,
            },
            researchers=researchers,
            time_zone=study.time_zone,
        )
    context = {"visit": visit, "round": visit.round, "study": study, "form": form}
    return render(request, "frontend/visit_edit.html", context, status=status)


def _calendar_page(request: HttpRequest, formset: Any = None, status: int = 200) -> HttpResponse:
    feed = services.calendar_feed_get_or_create(researcher=request.user)
    windows = list(selectors.availability_list(researcher=request.user))
    if formset is None:
        formset = AvailabilityFormSet(
            initial=[
                {"weekday": row.weekday, "start_time": row.start_time, "end_time": row.end_time}
                for row in windows
            ],
            prefix="windows",
        )
    context = {
        "feed_url": services.calendar_feed_url(feed),
        "windows": windows,
        "formset": formset,
    }
    return render(request, "frontend/calendar.html", context, status=status)


@require_GET
@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    return _calendar_page(request)


@require_POST
@login_required
def calendar_feed_renew(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_revoke(researcher=request.user)
    services.calendar_feed_get_or_create(researcher=request.user)
    messages.success(
        request,
        _("Your old calendar link no longer works. Subscribe to the new one below."),
    )
    return redirect("frontend:calendar")


@require_POST
@login_required
def availability_update(request: HttpRequest) -> HttpResponse:
    formset = AvailabilityFormSet(request.POST, prefix="windows")
    if not formset.is_valid():
        return _calendar_page(request, formset=formset, status=400)
    rows = formset.windows()
    try:
        services.availability_set(researcher=request.user, windows=[window for _i, window in rows])
    except ValidationError as error:
        _attach_availability_errors(formset, rows, error)
        return _calendar_page(request, formset=formset, status=status_for(error))
    messages.success(request, _("Your availability is saved."))
    return redirect("frontend:calendar")


def _attach_availability_errors(formset: Any, rows: list, error: ValidationError) -> None:
    """The service numbers the windows it was given; point each message at its row."""
    for key, field_messages in errors_of(error).items():
        position = key.removeprefix("windows[").removesuffix("]")
        if position.isdigit() and int(position) < len(rows):
            formset.forms[rows[int(position)][0]].add_error(None, field_messages)
        else:
            formset.non_form_errors().extend(field_messages)
