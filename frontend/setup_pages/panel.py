"""The research lead's panel: its households, one added by hand, many imported from a file
with a preview first, and the panel exported.

Every page is the lead's (MANAGE_STUDY): others on the team get a 403, outsiders a 404.
The pages call the services the API calls (studies.scheduling.services.panel): one rule
for a valid household row, whichever way it arrives.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from frontend.forms import DateInput
from frontend.refusals import ServiceErrorsMixin, flash_refusal, status_for
from studies.common.audit import audit_personal_data_shown
from studies.common.roles import Capability
from studies.scheduling import access, policies, selectors
from studies.scheduling.models import Consent, PanelImport, PanelImportStatus, Study
from studies.scheduling.services import panel as panel_services  # `panel` is a page below

PAGE_SIZE = 100
# Rows with problems listed on the preview; past it, the count says how many more.
PREVIEW_PROBLEM_ROWS = 1000
PREVIEW_SAMPLE_ROWS = 20


def _study(request: HttpRequest, study_id: object) -> Study:
    return access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )


def _import_of(study: Study, import_id: object) -> PanelImport:
    found = PanelImport.objects.filter(pk=access.as_uuid(import_id), study=study).first()
    if found is None:
        raise Http404
    return found


@require_GET
@login_required
def panel(request: HttpRequest, study_id: object) -> HttpResponse:
    study = _study(request, study_id)
    households = selectors.panel_list(study=study, with_personal_data=True)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    in_force: dict[object, list[Consent]] = {}
    for consent in (
        Consent.objects.in_force().filter(household__in=rows).order_by("kind", "-given_at")
    ):
        in_force.setdefault(consent.household_id, []).append(consent)
    for household in rows:
        household.consents_in_force = in_force.get(household.pk, [])
    audit_personal_data_shown(
        request=request,
        household_codes=[h.code for h in rows if getattr(h, "contact", None) is not None],
        where="panel page",
        study_id=study.pk,
    )
    context = {
        "study": study,
        "page": page,
        "households": rows,
        "closed": policies.study_is_closed(study),
    }
    return render(request, "frontend/panel.html", context)


class HouseholdForm(ServiceErrorsMixin, forms.Form):
    """The fields of one row of an import file; the service checks them as it checks a row."""

    code = forms.CharField(
        label=gettext_lazy("Pseudonym code (optional)"),
        required=False,
        help_text=gettext_lazy("Leave empty and a new one is made, e.g. H-7KQ2MX."),
    )
    name = forms.CharField(label=gettext_lazy("Contact name"), required=False)
    address = forms.CharField(
        label=gettext_lazy("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"), required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.CharField(
        label=gettext_lazy("E-mail"),
        required=False,
        widget=forms.TextInput(attrs={"type": "email"}),
    )
    segment = forms.CharField(
        label=gettext_lazy("Segments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line, as name: value — e.g. region: north."),
    )
    segment_phrase = forms.CharField(
        label=gettext_lazy("Quotes attributed as (optional)"),
        required=False,
        help_text=gettext_lazy("e.g. “parent of three, suburban”: never a name."),
    )
    participation_given_on = forms.CharField(
        label=gettext_lazy("Consent to take part, given on"), required=False, widget=DateInput()
    )
    photos_given_on = forms.CharField(
        label=gettext_lazy("Consent to photos, given on"), required=False, widget=DateInput()
    )
    marketing_given_on = forms.CharField(
        label=gettext_lazy("Consent to marketing use of quotes, given on"),
        required=False,
        widget=DateInput(),
    )
    consent_version = forms.CharField(
        label=gettext_lazy("Version of the consent text"),
        required=False,
        help_text=gettext_lazy("Needed when a consent date is given, e.g. 2.1."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def panel_add(request: HttpRequest, study_id: object) -> HttpResponse:
    study = _study(request, study_id)
    form = HouseholdForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "segment"}
        segment, bad_lines = panel_services.segment_parse(form.cleaned_data["segment"])
        try:
            household = panel_services.panel_household_add(
                study=study,
                actor=request.user,
                values=values,
                segment=segment,
                unreadable_segments=bad_lines,
                request=request,
            )
        except ValidationError as error:
            form.add_service_error(error)
            status = status_for(error)
        else:
            messages.success(request, _("%(code)s joined the panel.") % {"code": household.code})
            return redirect("frontend:household", study_id=study.pk, household_id=household.pk)
    elif request.method == "POST":
        status = 400
    context = {"study": study, "form": form, "closed": policies.study_is_closed(study)}
    return render(request, "frontend/household_form.html", context, status=status)


class UploadForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy("Up to 10 MB and 20,000 households."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.txt,.xlsx,text/csv,application/vnd.ms-excel,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


def _columns() -> list[dict[str, Any]]:
    return [
        {"header": column.header, "description": column.description}
        for column in panel_services.COLUMNS
    ]


@require_http_methods(["GET", "POST"])
@login_required
def panel_import_upload(request: HttpRequest, study_id: object) -> HttpResponse:
    study = _study(request, study_id)
    template_format = request.GET.get("template")
    if request.method == "GET" and template_format in panel_services.FORMATS:
        return _download(panel_services.template_file(template_format))
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = panel_services.panel_import_receive(
                    study=study, actor=request.user, upload=form.cleaned_data["file"]
                )
            except ValidationError as error:
                form.add_service_error(error)
                status = status_for(error)
            else:
                return redirect(
                    "frontend:panel-import-preview", study_id=study.pk, import_id=made.pk
                )
        else:
            status = 400
    context = {
        "study": study,
        "form": form,
        "columns": _columns(),
        "max_bytes": panel_services.MAX_IMPORT_BYTES,
        "closed": policies.study_is_closed(study),
    }
    return render(request, "frontend/panel_import.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def panel_import_preview(request: HttpRequest, study_id: object, import_id: object) -> HttpResponse:
    study = _study(request, study_id)
    made = _import_of(study, import_id)
    status = 200
    if request.method == "POST":
        try:
            made = panel_services.panel_import_confirm(panel_import=made, actor=request.user)
        except ValidationError as error:
            status = flash_refusal(request, error)
        made.refresh_from_db()
        if made.status == PanelImportStatus.IMPORTED:
            messages.success(
                request,
                ngettext(
                    "%(count)d household joined the panel.",
                    "%(count)d households joined the panel.",
                    made.new_count,
                )
                % {"count": made.new_count},
            )
            return redirect("frontend:panel", study_id=study.pk)
        if status == 200 and made.status != PanelImportStatus.IMPORTING:
            messages.error(request, panel_services.problems_message(made))
            status = 409
    problem_rows = [row for row in made.rows if row.get("problems")]
    context = {
        "study": study,
        "made": made,
        "working": made.status in (PanelImportStatus.CHECKING, PanelImportStatus.IMPORTING),
        "done": panel_services.panel_import_progress(made),
        "problem_rows": problem_rows[:PREVIEW_PROBLEM_ROWS],
        "more_problem_rows": max(0, len(problem_rows) - PREVIEW_PROBLEM_ROWS),
        "sample_rows": [row for row in made.rows if not row.get("problems")][:PREVIEW_SAMPLE_ROWS],
        "closed": policies.study_is_closed(study),
        "upload_form": UploadForm(),
        "max_bytes": panel_services.MAX_IMPORT_BYTES,
    }
    return render(request, "frontend/panel_import_preview.html", context, status=status)


def _download(made: panel_services.PanelFile) -> HttpResponse:
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def panel_export_file(request: HttpRequest, study_id: object) -> HttpResponse:
    study = _study(request, study_id)
    file_format = request.GET.get("format", "csv")
    if file_format not in panel_services.FORMATS:
        return HttpResponse(_("Ask for format=csv or format=xlsx."), status=400)
    return _download(
        panel_services.panel_export(study=study, file_format=file_format, request=request)
    )
