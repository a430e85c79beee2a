"""The synthesis screen: browse and filter a study's observations, tick the evidence, and make
a new insight of it or add it to one the study already has."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from frontend.refusals import status_for
from frontend.synthesis.forms import EvidenceForm, ObservationFilterForm
from studies.common.roles import Capability
from studies.fieldwork.models import Observation
from studies.scheduling import selectors as scheduling_selectors
from studies.scheduling.access import study_get_for_user
from studies.scheduling.models import Study
from studies.synthesis import selectors
from studies.synthesis.services import insights as insight_services

OBSERVATIONS_PER_PAGE = 50


@require_http_methods(["GET", "POST"])
@login_required
def synthesis(request: HttpRequest, study_id: uuid.UUID) -> HttpResponse:
    study = study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.SYNTHESISE
    )
    questions = list(scheduling_selectors.question_list(study=study))
    # The pick-list of insights to add evidence to: statements only.
    pick_list = list(study.insights.only("pk", "statement", "study_id").order_by("statement"))
    if request.method == "GET":
        form = EvidenceForm(questions=questions, insights=pick_list)
        return _synthesis_page(request, study, form=form, questions=questions)

    form = EvidenceForm(request.POST, questions=questions, insights=pick_list)
    if not form.is_valid():
        return _synthesis_page(request, study, form=form, questions=questions, status=400)
    try:
        if form.cleaned_data["action"] == EvidenceForm.CREATE:
            return _insight_create(request, study, form)
        return _evidence_add(request, study, form)
    except ValidationError as error:
        form.add_service_error(error)
        return _synthesis_page(
            request, study, form=form, questions=questions, status=status_for(error)
        )


def _insight_create(request: HttpRequest, study: Study, form: EvidenceForm) -> HttpResponse:
    data = form.cleaned_data
    insight = insight_services.insight_create(
        study=study,
        actor=request.user,
        statement=data["statement"],
        description=data["description"],
        observation_ids=data["observations"],
        photo_ids=data["photos"],
        tag_ids=data["tags"],
        research_question_id=data["research_question"],
    )
    messages.success(
        request,
        ngettext(
            "Insight created, backed by %(count)d household.",
            "Insight created, backed by %(count)d households.",
            insight.household_count,
        )
        % {"count": insight.household_count},
    )
    return redirect(f"{reverse('frontend:insights', args=[study.pk])}#insight-{insight.pk}")


def _evidence_add(request: HttpRequest, study: Study, form: EvidenceForm) -> HttpResponse:
    insight = form.chosen_insight()
    insight.study = study  # the pick-list holds this study's insights only
    added = insight_services.insight_evidence_add(
        insight=insight,
        actor=request.user,
        observation_ids=form.cleaned_data["observations"],
        photo_ids=form.cleaned_data["photos"],
    )
    if added:
        messages.success(
            request,
            ngettext(
                "Added %(count)d piece of evidence to “%(statement)s”.",
                "Added %(count)d pieces of evidence to “%(statement)s”.",
                added,
            )
            % {"count": added, "statement": insight.statement},
        )
    else:
        messages.info(
            request,
            _("All of it was already evidence of “%(statement)s”; nothing changed.")
            % {"statement": insight.statement},
        )
    # Back to the same filters, to carry on sorting through them, at the top where the
    # message is (a redirect without a fragment would keep the form's #panel-heading).
    return redirect(f"{request.get_full_path()}#main")


def _synthesis_page(
    request: HttpRequest,
    study: Study,
    *,
    form: EvidenceForm,
    questions: list,
    status: int = 200,
) -> HttpResponse:
    rounds = list(scheduling_selectors.round_list_with_progress(study=study))
    households = list(scheduling_selectors.panel_list(study=study, with_personal_data=False))
    study_tags = list(study.tags.all())
    filter_form = ObservationFilterForm(
        request.GET, rounds=rounds, households=households, tags=study_tags
    )
    if filter_form.is_valid():
        observations = selectors.observation_browse(study=study, filters=filter_form.filters())
    else:
        observations = Observation.objects.none()
        status = 400
    page = Paginator(observations, OBSERVATIONS_PER_PAGE).get_page(request.GET.get("page"))
    # What was ticked stays ticked when the page comes back with an error.
    chosen = {name: set(request.POST.getlist(name)) for name in ("observations", "photos", "tags")}
    context = {
        "study": study,
        "filter_form": filter_form,
        "filtered": any(filter_form.data.get(name) for name in filter_form.fields),
        "page": page,
        "form": form,
        "tags": study_tags,
        "questions": questions,
        "chosen": chosen,
        "chosen_count": len(chosen["observations"]) + len(chosen["photos"]),
    }
    return render(request, "frontend/synthesis.html", context, status=status)
