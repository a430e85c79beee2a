"""The synthesis screen: browse and filter a study's observations and photos, tick the
evidence, and make a new insight of it or add it to one the study already has.

What is ticked is a selection that survives filter changes and pages: the browser keeps it
(tray.js, per study and user) and sends all of it with the form. Without JavaScript the
form holds what is ticked on one page. When the server refuses the form, the page comes
back with the whole selection it was sent, each item with its label, so nothing ticked on
another page is lost. Once the evidence is used, the next synthesis page tells the browser
which items to take out of its selection (they were made into an insight or added).
"""

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from frontend.refusals import status_for
from frontend.synthesis.forms import EvidenceForm, ObservationFilterForm
from studies.common.roles import Capability
from studies.fieldwork.models import Observation, ObservationKind, Photo
from studies.scheduling import selectors as scheduling_selectors
from studies.scheduling.access import study_get_for_user
from studies.scheduling.models import Study
from studies.synthesis import selectors
from studies.synthesis.models import Insight
from studies.synthesis.selectors import BrowsedItem
from studies.synthesis.services import insights as insight_services

ITEMS_PER_PAGE = 50
# How much of an item's text its label in the selection keeps.
LABEL_CHARS = 60
# The browser's key for a study's selection; logout clears every key with this prefix.
TRAY_PREFIX = "rh-tray-"
# The kinds as a label in the tray names them: one word each.
SHORT_KINDS = {
    ObservationKind.NOTE: gettext_lazy("Note"),
    ObservationKind.QUOTE: gettext_lazy("Quote"),
    ObservationKind.ANSWER: gettext_lazy("Answer"),
}


@dataclass
class TrayEntry:
    """An item of a selection the server sends back: shown in the tray with its label; its
    checkbox is there unless the item is on this page (where its own checkbox is)."""

    kind: str  # "observation" or "photo"
    pk: uuid.UUID
    label: str
    tag_ids: list[uuid.UUID]
    on_page: bool

    @property
    def field(self) -> str:
        return "observations" if self.kind == "observation" else "photos"


def _used_key(study: Study) -> str:
    return f"synthesis-used-{study.pk}"


@require_http_methods(["GET", "POST"])
@login_required
def synthesis(request: HttpRequest, study_id: uuid.UUID) -> HttpResponse:
    study = study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.SYNTHESISE
    )
    questions = list(scheduling_selectors.question_list(study=study))
    # The pick-list of insights to add evidence to: statements only.
    pick_list = list(study.insights.only("pk", "statement", "study_id").order_by("statement"))
    preselected, preselect_error = _preselected(request, pick_list)
    if request.method == "GET":
        form = EvidenceForm(
            questions=questions,
            insights=pick_list,
            initial={"insight": preselected.pk if preselected else None},
        )
        return _synthesis_page(
            request,
            study,
            form=form,
            questions=questions,
            preselected=preselected,
            preselect_error=preselect_error,
            status=400 if preselect_error else 200,
        )

    form = EvidenceForm(request.POST, questions=questions, insights=pick_list)
    page_args = {"form": form, "questions": questions, "preselected": preselected}
    if not form.is_valid():
        return _synthesis_page(request, study, **page_args, status=400)
    try:
        if form.cleaned_data["action"] == EvidenceForm.CREATE:
            response = _insight_create(request, study, form)
        else:
            response = _evidence_add(request, study, form)
    except ValidationError as error:
        form.add_service_error(error)
        return _synthesis_page(request, study, **page_args, status=status_for(error))
    _remember_used(request, study, form)
    return response


def _preselected(request: HttpRequest, pick_list: list[Insight]) -> tuple[Insight | None, str]:
    """The insight named by `?insight=` (the insight page's "Add evidence"), if it is one of
    the study's; otherwise a message saying it cannot be chosen."""
    raw = request.GET.get("insight", "")
    if not raw:
        return None, ""
    try:
        wanted = uuid.UUID(raw)
    except ValueError:
        wanted = None
    for insight in pick_list:
        if insight.pk == wanted:
            return insight, ""
    return None, _("That insight is not one of this study's; choose one below.")


def _remember_used(request: HttpRequest, study: Study, form: EvidenceForm) -> None:
    """Note the ids just made into evidence, for the next synthesis page to take out of the
    browser's selection (the insight may be made on a page without the tray's script)."""
    used = request.session.get(_used_key(study), [])
    used += [str(pk) for pk in form.cleaned_data["observations"] + form.cleaned_data["photos"]]
    request.session[_used_key(study)] = list(dict.fromkeys(used))


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


def _label(source: Observation | Photo) -> str:
    """How the tray lists an item: kind, household and the start of its words."""
    code = source.visit.household.code
    if isinstance(source, Photo):
        if source.caption:
            return _("Photo · %(code)s: %(caption)s") % {
                "code": code,
                "caption": Truncator(source.caption).chars(LABEL_CHARS),
            }
        return _("Photo · %(code)s") % {"code": code}
    text = Truncator(" ".join(source.text.split())).chars(LABEL_CHARS)
    return _("%(kind)s · %(code)s: %(text)s") % {
        "kind": SHORT_KINDS.get(source.kind, source.get_kind_display()),
        "code": code,
        "text": f"“{text}”" if source.kind == "quote" else text,
    }


def _labelled(items: list[BrowsedItem]) -> set[uuid.UUID]:
    """Give every item and every photo under one its `tray_label`; the ids they hold."""
    ids = set()
    for item in items:
        sources: list[Observation | Photo] = [item.photo] if item.photo else []
        if item.observation:
            sources = [item.observation, *item.observation.shown_photos]  # type: ignore[attr-defined]
        for source in sources:
            source.tray_label = _label(source)  # type: ignore[union-attr]
            ids.add(source.pk)
    return ids


def _ids_sent(request: HttpRequest, name: str) -> list[uuid.UUID]:
    """The well-formed ids the form sent under a name (a malformed one has its own error)."""
    ids = []
    for value in request.POST.getlist(name):
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return list(dict.fromkeys(ids))


def _tray(
    request: HttpRequest, study: Study, on_page: set[uuid.UUID]
) -> tuple[list[TrayEntry], list[uuid.UUID]]:
    """The selection the form sent, as tray entries, and the ids in it that are not (or no
    longer) evidence of this study. Nothing on a GET: the browser holds the selection."""
    if request.method != "POST":
        return [], []
    picked = selectors.evidence_picked(
        study=study,
        observation_ids=_ids_sent(request, "observations"),
        photo_ids=_ids_sent(request, "photos"),
    )
    entries = []
    for item in picked.items:
        source = item.observation or item.photo
        assert source is not None
        entries.append(
            TrayEntry(
                kind=item.kind,
                pk=source.pk,
                label=_label(source),
                tag_ids=[tag.pk for tag in source.tags.all()],
                on_page=source.pk in on_page,
            )
        )
    return entries, [pk for _kind, pk in picked.missing]


def _synthesis_page(
    request: HttpRequest,
    study: Study,
    *,
    form: EvidenceForm,
    questions: list,
    preselected: Insight | None,
    preselect_error: str = "",
    status: int = 200,
) -> HttpResponse:
    rounds = list(scheduling_selectors.round_list_with_progress(study=study))
    households = list(scheduling_selectors.panel_list(study=study, with_personal_data=False))
    study_tags = list(study.tags.all())
    guide_questions = selectors.guide_question_keys(study=study)
    filter_form = ObservationFilterForm(
        request.GET,
        rounds=rounds,
        households=households,
        tags=study_tags,
        guide_questions=guide_questions,
    )
    if filter_form.is_valid():
        items = selectors.evidence_browse(study=study, filters=filter_form.filters())
        page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    else:
        page = Paginator([], ITEMS_PER_PAGE).get_page(1)
        status = 400
    tray, tray_gone = _tray(request, study, on_page=_labelled(list(page.object_list)))
    # What was ticked stays ticked when the page comes back with an error.
    chosen = {
        "observations": {str(e.pk) for e in tray if e.kind == "observation"},
        "photos": {str(e.pk) for e in tray if e.kind == "photo"},
        "tags": set(request.POST.getlist("tags")),
    }
    context = {
        "study": study,
        "filter_form": filter_form,
        "filtered": any(filter_form.data.get(name) for name in filter_form.fields),
        "page": page,
        "form": form,
        "tags": study_tags,
        "questions": questions,
        "preselected": preselected,
        "preselect_error": preselect_error,
        "chosen": chosen,
        "chosen_count": len(tray),
        "tray": tray,
        "tray_gone": tray_gone,
        "tray_owner": f"{TRAY_PREFIX}{request.user.pk}-",
        "tray_key": f"{TRAY_PREFIX}{request.user.pk}-{study.pk}",
        # Only a page that is not the form's answer tells the browser what was used.
        "tray_used": request.session.pop(_used_key(study), []) if request.method == "GET" else [],
    }
    return render(request, "frontend/synthesis.html", context, status=status)
