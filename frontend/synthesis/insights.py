"""The study's insights as cards, filtered by text, tag or research question."""

import uuid
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from frontend.synthesis.forms import InsightFilterForm
from studies.common.roles import Capability, role_can
from studies.scheduling import selectors as scheduling_selectors
from studies.scheduling.access import study_get_for_user
from studies.scheduling.models import Round
from studies.synthesis import selectors
from studies.synthesis.models import BoardCard, Insight

INSIGHTS_PER_PAGE = 24


@dataclass
class InsightCard:
    insight: Insight
    rounds: list[Round]
    boards: list[BoardCard]


@require_GET
@login_required
def insight_list(request: HttpRequest, study_id: uuid.UUID) -> HttpResponse:
    study = study_get_for_user(user=request.user, study_id=study_id)
    study_tags = list(study.tags.all())
    questions = list(scheduling_selectors.question_list(study=study))
    form = InsightFilterForm(request.GET, tags=study_tags, questions=questions)
    status = 200
    if form.is_valid():
        found = selectors.insight_list(
            user=request.user, study=study, text=form.cleaned_data["text"].strip()
        )
        if form.cleaned_data["tag"]:
            found = found.filter(tags=form.cleaned_data["tag"])
        if form.cleaned_data["question"]:
            found = found.filter(research_question_id=form.cleaned_data["question"])
    else:
        found = Insight.objects.none()
        status = 400
    found = found.prefetch_related(
        Prefetch(
            "cards",
            queryset=BoardCard.objects.filter(removed_at__isnull=True)
            .select_related("board")
            .order_by("board__kind"),
            to_attr="live_cards",
        )
    ).order_by("-updated_at", "pk")
    page = Paginator(found, INSIGHTS_PER_PAGE).get_page(request.GET.get("page"))
    backing = selectors.rounds_backing(insight_ids=[insight.pk for insight in page])
    context = {
        "study": study,
        "form": form,
        "filtered": any(form.data.get(name) for name in form.fields),
        "page": page,
        "cards": [
            InsightCard(
                insight=insight,
                rounds=backing.get(insight.pk, []),
                boards=insight.live_cards,
            )
            for insight in page
        ],
        "can_synthesise": role_can(study.viewer_role, Capability.SYNTHESISE),
    }
    return render(request, "frontend/insights.html", context, status=status)
