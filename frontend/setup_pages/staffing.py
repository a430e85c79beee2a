"""Staffing a round before it goes out (research lead): its visits by day, those to
reassign, and a form for each change. The services of studies.scheduling.services.staffing
do the work, with the booking checks every other way of booking has."""

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from frontend.forms import DateInput, TimeInput
from frontend.refusals import errors_of, flash_refusal, status_for
from studies.common.models import User
from studies.common.roles import Capability
from studies.scheduling import access, policies, selectors
from studies.scheduling.models import Household, Round, Study, Visit, VisitStatus
from studies.scheduling.services import staffing

# Service error keys and the page field a person should look at for each of them.
FIELD_FOR_ERROR = {"scheduled_start": "start_time", "scheduled_end": "start_time"}


class StaffingForm(forms.Form):
    """Choices come from lists loaded once per page, so fifty visit forms cost no query."""

    def __init__(self, *args: Any, zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(zone)
        if "start_time" in self.fields:
            self.fields["start_time"].help_text = _("The study's time, %(zone)s.") % {"zone": zone}

    def start(self) -> dt.datetime:
        """The typed wall-clock time in the study's zone, as an aware datetime."""
        return dt.datetime.combine(
            self.cleaned_data["date"], self.cleaned_data["start_time"], tzinfo=self.zone
        )

    def add_service_error(self, error: ValidationError) -> None:
        for key, field_messages in errors_of(error).items():
            name = FIELD_FOR_ERROR.get(key, key)
            self.add_error(name if name in self.fields else None, field_messages)


def _people(users: Sequence[User]) -> list[tuple[str, str]]:
    return [(str(user.pk), str(user)) for user in users]


class MoveForm(StaffingForm):
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    start_time = forms.TimeField(label=gettext_lazy("Starts at"), widget=TimeInput())
    researcher = forms.TypedChoiceField(label=gettext_lazy("Researcher"), coerce=int)

    def __init__(self, *args: Any, researchers: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["researcher"].choices = _people(researchers)


class AddForm(StaffingForm):
    household = forms.TypedChoiceField(label=gettext_lazy("Household"), coerce=uuid.UUID)
    researcher = forms.TypedChoiceField(label=gettext_lazy("Researcher"), coerce=int)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    start_time = forms.TimeField(label=gettext_lazy("Starts at"), widget=TimeInput())

    def __init__(
        self,
        *args: Any,
        households: Sequence[Household],
        researchers: Sequence[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [(str(h.pk), h.code) for h in households]
        self.fields["researcher"].choices = _people(researchers)


class ReassignForm(StaffingForm):
    from_researcher = forms.TypedChoiceField(label=gettext_lazy("Visits of"), coerce=int)
    to_researcher = forms.TypedChoiceField(label=gettext_lazy("Hand them to"), coerce=int)
    start_date = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("To (inclusive)"), widget=DateInput())

    def __init__(
        self, *args: Any, holders: Sequence[User], researchers: Sequence[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_researcher"].choices = _people(holders)
        self.fields["to_researcher"].choices = _people(researchers)


def move_prefix(visit: Visit) -> str:
    return f"v{visit.pk.hex}"


@dataclass
class Row:
    visit: Visit
    study_zone: zoneinfo.ZoneInfo
    form: MoveForm | None  # None when it cannot be moved here (or is moved under "flagged")
    open: bool = False  # its form is shown open: it was just refused
    flagged: bool = False  # its researcher may no longer conduct it

    @property
    def study_clock_differs(self) -> bool:
        """Whether the study's clock reads otherwise than the viewer's at the visit's start:
        then the study's time is shown beside the viewer's."""
        start = self.visit.scheduled_start
        return (
            timezone.localtime(start).utcoffset() != start.astimezone(self.study_zone).utcoffset()
        )


@dataclass
class Day:
    day: dt.date
    rows: list[Row] = field(default_factory=list)


@dataclass
class Refused:
    """A form sent back with the service's messages, and the status to answer with."""

    status: int
    move: tuple[uuid.UUID, MoveForm] | None = None
    add: AddForm | None = None
    reassign: ReassignForm | None = None


def _study(request: HttpRequest, study_id: object) -> Study:
    return access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )


def _round(study: Study, round_id: object) -> Round | None:
    """The round asked for (404 when it is not the study's), else the study's next one."""
    if round_id in (None, ""):
        return staffing.round_to_staff(study=study)
    round_ = staffing.round_to_staff(study=study, round_id=access.as_uuid(round_id))
    if round_ is None:
        raise Http404
    return round_


def _move_form(visit: Visit, study: Study, researchers: Sequence[User]) -> MoveForm:
    local = timezone.localtime(visit.scheduled_start, zoneinfo.ZoneInfo(study.time_zone))
    return MoveForm(
        initial={
            "date": local.date(),
            "start_time": local.time(),
            "researcher": visit.researcher_id,
        },
        researchers=researchers,
        zone=study.time_zone,
        prefix=move_prefix(visit),
    )


def _rows(
    visits: Sequence[Visit],
    study: Study,
    researchers: Sequence[User],
    refused: Refused | None,
    flagged: set[uuid.UUID] | None = None,
) -> list[Row]:
    """A row per visit. Given `flagged`, those visits get no form: the list of visits to
    reassign holds theirs (one form per visit on the page, so field ids stay unique)."""
    closed = policies.study_is_closed(study)
    zone = zoneinfo.ZoneInfo(study.time_zone)
    rows = []
    for visit in visits:
        elsewhere = flagged is not None and visit.pk in flagged
        if elsewhere:
            rows.append(Row(visit=visit, study_zone=zone, form=None, flagged=True))
        elif refused and refused.move and refused.move[0] == visit.pk:
            rows.append(Row(visit=visit, study_zone=zone, form=refused.move[1], open=True))
        elif visit.status == VisitStatus.SCHEDULED and not closed:
            form = _move_form(visit, study, researchers)
            rows.append(Row(visit=visit, study_zone=zone, form=form))
        else:
            rows.append(Row(visit=visit, study_zone=zone, form=None))
    return rows


def _holders(visits: Sequence[Visit]) -> list[User]:
    """Researchers with scheduled visits in the round: whose visits can be handed over."""
    by_pk = {v.researcher_id: v.researcher for v in visits if v.status == VisitStatus.SCHEDULED}
    return sorted(by_pk.values(), key=lambda user: str(user).lower())


def _page(
    request: HttpRequest, study: Study, round_: Round | None, refused: Refused | None = None
) -> HttpResponse:
    researchers = list(selectors.researcher_list(study=study))
    flagged = list(selectors.visits_to_reassign(study=study))
    context: dict[str, Any] = {
        "study": study,
        "round": round_,
        "closed": policies.study_is_closed(study),
        "rounds": list(Round.objects.filter(study=study).order_by("-window_start")),
        "flagged": _rows(flagged, study, researchers, refused),
        "viewer_zone": timezone.get_current_timezone_name(),
        "researchers": researchers,
    }
    if round_ is not None:
        visits = list(selectors.round_visit_list(round_=round_))
        rows = _rows(visits, study, researchers, refused, flagged={v.pk for v in flagged})
        # By day in the viewer's zone, as the times are shown.
        context["days"] = [
            Day(day=day, rows=list(group))
            for day, group in groupby(
                rows, key=lambda row: timezone.localtime(row.visit.scheduled_start).date()
            )
        ]
        context["visit_count"] = sum(1 for v in visits if v.status != VisitStatus.CANCELLED)
        households = staffing.households_to_add(round_=round_)
        holders = _holders(visits)
        context["add_form"] = (refused and refused.add) or AddForm(
            households=households,
            researchers=researchers,
            zone=study.time_zone,
            prefix="add",
        )
        context["households_to_add"] = households
        context["reassign_form"] = (refused and refused.reassign) or ReassignForm(
            holders=holders,
            researchers=researchers,
            zone=study.time_zone,
            prefix="handover",
            initial={"start_date": round_.window_start, "end_date": round_.window_end},
        )
        context["holders"] = holders
    status = refused.status if refused else 200
    return render(request, "frontend/staffing.html", context, status=status)


def _back(study: Study, round_id: object) -> HttpResponse:
    url = reverse("frontend:staffing", kwargs={"study_id": study.pk})
    return redirect(f"{url}?round={round_id}")


@require_GET
@login_required
def staffing_page(request: HttpRequest, study_id: object) -> HttpResponse:
    study = _study(request, study_id)
    return _page(request, study, _round(study, request.GET.get("round")))


def _visit_of(study: Study, request: HttpRequest, visit_id: object) -> Visit:
    visit = access.visit_get_for_user(
        user=request.user, visit_id=visit_id, capability=Capability.MANAGE_STUDY
    )
    if visit.round.study_id != study.pk:
        raise Http404
    return visit


@require_POST
@login_required
def visit_move(request: HttpRequest, study_id: object, visit_id: object) -> HttpResponse:
    study = _study(request, study_id)
    visit = _visit_of(study, request, visit_id)
    researchers = list(selectors.researcher_list(study=study))
    form = MoveForm(
        request.POST, researchers=researchers, zone=study.time_zone, prefix=move_prefix(visit)
    )
    # The page shown after: the round asked for, or the visit's own.
    round_id = request.POST.get("round") or visit.round_id
    if not form.is_valid():
        return _page(request, study, _round(study, round_id), Refused(400, move=(visit.pk, form)))
    chosen = next(user for user in researchers if user.pk == form.cleaned_data["researcher"])
    try:
        staffing.staffing_visit_move(
            visit=visit, actor=request.user, start=form.start(), researcher=chosen
        )
    except ValidationError as error:
        form.add_service_error(error)
        refused = Refused(status_for(error), move=(visit.pk, form))
        return _page(request, study, _round(study, round_id), refused)
    messages.success(request, _("Visit to %(code)s updated.") % {"code": visit.household.code})
    return _back(study, round_id)


@require_POST
@login_required
def visit_skip(request: HttpRequest, study_id: object, visit_id: object) -> HttpResponse:
    study = _study(request, study_id)
    visit = _visit_of(study, request, visit_id)
    round_id = request.POST.get("round") or visit.round_id
    try:
        staffing.staffing_visit_skip(visit=visit, actor=request.user)
    except ValidationError as error:
        status = flash_refusal(request, error)
        return _page(request, study, _round(study, round_id), Refused(status))
    messages.success(
        request,
        _("%(code)s is skipped for this round; add it again below if plans change.")
        % {"code": visit.household.code},
    )
    return _back(study, round_id)


def _round_posted(request: HttpRequest, study: Study) -> Round:
    round_ = _round(study, request.POST.get("round"))
    if round_ is None:
        raise Http404
    return round_


@require_POST
@login_required
def household_add(request: HttpRequest, study_id: object) -> HttpResponse:
    study = _study(request, study_id)
    round_ = _round_posted(request, study)
    households = staffing.households_to_add(round_=round_)
    researchers = list(selectors.researcher_list(study=study))
    form = AddForm(
        request.POST,
        households=households,
        researchers=researchers,
        zone=study.time_zone,
        prefix="add",
    )
    if not form.is_valid():
        return _page(request, study, round_, Refused(400, add=form))
    household = next(h for h in households if h.pk == form.cleaned_data["household"])
    try:
        staffing.staffing_household_add(
            round_=round_,
            household=household,
            researcher=next(u for u in researchers if u.pk == form.cleaned_data["researcher"]),
            start=form.start(),
            actor=request.user,
        )
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, study, round_, Refused(status_for(error), add=form))
    messages.success(
        request,
        _("%(code)s is booked into %(round)s.") % {"code": household.code, "round": round_.label},
    )
    return _back(study, round_.pk)


@require_POST
@login_required
def visits_reassign(request: HttpRequest, study_id: object) -> HttpResponse:
    study = _study(request, study_id)
    round_ = _round_posted(request, study)
    researchers = list(selectors.researcher_list(study=study))
    holders = _holders(list(selectors.round_visit_list(round_=round_)))
    form = ReassignForm(
        request.POST,
        holders=holders,
        researchers=researchers,
        zone=study.time_zone,
        prefix="handover",
    )
    if not form.is_valid():
        return _page(request, study, round_, Refused(400, reassign=form))
    data = form.cleaned_data
    try:
        handover = staffing.staffing_reassign(
            round_=round_,
            from_researcher=next(u for u in holders if u.pk == data["from_researcher"]),
            to_researcher=next(u for u in researchers if u.pk == data["to_researcher"]),
            start_date=data["start_date"],
            end_date=data["end_date"],
            actor=request.user,
        )
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, study, round_, Refused(status_for(error), reassign=form))
    count = len(handover.visits)
    messages.success(
        request,
        ngettext(
            "%(count)d visit handed to %(name)s.", "%(count)d visits handed to %(name)s.", count
        )
        % {"count": count, "name": handover.visits[0].researcher},
    )
    return _back(study, round_.pk)
