"""A household's page in a study: its pseudonym and segment for everyone on the team, its
contact for the research team, and its consent and erasure for the research lead.

Consent and erasure go through studies.privacy.services, as in the API: they take effect
in the quote bank, exports, search and every photo at once, and are audited there.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from frontend.forms import DateInput
from frontend.refusals import ServiceErrorsMixin, status_for
from studies.common.audit import audit_personal_data_shown
from studies.common.roles import Capability, role_can
from studies.privacy import services
from studies.privacy.models import Erasure
from studies.scheduling import access, selectors
from studies.scheduling.models import ConsentKind, Household, Study


class ConsentForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Consent to"), choices=ConsentKind.choices)
    version = forms.CharField(label=gettext_lazy("Version of the consent text"), max_length=32)


class ErasureForm(ServiceErrorsMixin, forms.Form):
    confirm_code = forms.CharField(
        label=gettext_lazy("Type the household's code to confirm"), max_length=32
    )
    requested_on = forms.DateField(
        label=gettext_lazy("Request received on"), widget=DateInput(), initial=timezone.localdate
    )
    reference = forms.CharField(
        label=gettext_lazy("Request reference (optional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("e.g. a ticket number; no personal data."),
    )

    def __init__(self, *args: Any, code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code

    def clean_confirm_code(self) -> str:
        value = self.cleaned_data["confirm_code"].strip()
        if value != self.code:
            raise ValidationError(
                _("Type the household's code, %(code)s, to confirm.") % {"code": self.code}
            )
        return value


def _to_manage(
    request: HttpRequest, study_id: object, household_id: object
) -> tuple[Study, Household]:
    """The study (as its research lead) and the household of its panel, or 404/403."""
    study = access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )
    return study, _household_in(study, household_id)


def _household_in(study: Study, household_id: object) -> Household:
    household = selectors.panel_household(study=study, household_id=access.as_uuid(household_id))
    if household is None:
        raise Http404
    return household


def _page(
    request: HttpRequest,
    study: Study,
    household: Household,
    *,
    consent_form: ConsentForm | None = None,
    erasure_form: ErasureForm | None = None,
    status: int = 200,
) -> HttpResponse:
    role = study.viewer_role
    personal = role_can(role, Capability.VIEW_PERSONAL_DATA)
    contact = (
        selectors.household_contact_get(household=household, study=study) if personal else None
    )
    if contact is not None:
        audit_personal_data_shown(
            request=request,
            household_codes=[household.code],
            where="household page",
            study_id=study.pk,
        )
    can_manage = role_can(role, Capability.MANAGE_STUDY)
    context = {
        "study": study,
        "household": household,
        "contact": contact,
        "can_view_personal_data": personal,
        "can_manage": can_manage and household.erased_at is None,
        "consents": list(selectors.consent_list(household=household)),
        "erasure": Erasure.objects.filter(household=household).first(),
        "consent_form": consent_form or ConsentForm(),
        "erasure_form": erasure_form or ErasureForm(code=household.code),
    }
    return render(request, "frontend/household.html", context, status=status)


@require_http_methods(["GET"])
@login_required
def household_detail(request: HttpRequest, study_id: object, household_id: object) -> HttpResponse:
    study = access.study_get_for_user(user=request.user, study_id=study_id)
    return _page(request, study, _household_in(study, household_id))


@require_POST
@login_required
def household_consent(request: HttpRequest, study_id: object, household_id: object) -> HttpResponse:
    study, household = _to_manage(request, study_id, household_id)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _page(request, study, household, consent_form=form, status=400)
    try:
        services.consent_give(
            household=household,
            kind=form.cleaned_data["kind"],
            version=form.cleaned_data["version"],
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, study, household, consent_form=form, status=status_for(error))
    messages.success(request, _("Consent recorded."))
    return redirect("frontend:household", study_id=study.pk, household_id=household.pk)


@require_POST
@login_required
def consent_withdraw(
    request: HttpRequest, study_id: object, household_id: object, consent_id: object
) -> HttpResponse:
    study, household = _to_manage(request, study_id, household_id)
    consent = household.consents.filter(pk=access.as_uuid(consent_id)).first()
    if consent is None:
        raise Http404
    services.consent_withdraw(consent=consent, actor=request.user, request=request)
    messages.success(
        request,
        _("%(kind)s consent withdrawn. It takes effect everywhere now.")
        % {"kind": consent.get_kind_display()},
    )
    return redirect("frontend:household", study_id=study.pk, household_id=household.pk)


@require_POST
@login_required
def household_erase(request: HttpRequest, study_id: object, household_id: object) -> HttpResponse:
    study, household = _to_manage(request, study_id, household_id)
    form = ErasureForm(request.POST, code=household.code)
    if not form.is_valid():
        return _page(request, study, household, erasure_form=form, status=400)
    try:
        services.household_erase(
            household=household,
            actor=request.user,
            requested_on=form.cleaned_data["requested_on"],
            reference=form.cleaned_data["reference"],
            request=request,
        )
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, study, household, erasure_form=form, status=status_for(error))
    messages.success(
        request,
        _("%(code)s's personal data, photos and observations were erased.")
        % {"code": household.code},
    )
    return redirect("frontend:household", study_id=study.pk, household_id=household.pk)
