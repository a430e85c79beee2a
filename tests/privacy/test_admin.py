"""The admin changes consent and erases households through the privacy services, and
records every look at personal data."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from studies.common.models import AuditAction, AuditEvent
from studies.privacy.models import Erasure
from studies.scheduling.models import Consent, ConsentKind, HouseholdContact

pytestmark = pytest.mark.django_db


def consent_form(household, **overrides):
    given = timezone.localtime() - dt.timedelta(days=1)
    return {
        "household": household.pk,
        "kind": "marketing",
        "version": "4.0",
        "given_at_0": given.strftime("%Y-%m-%d"),
        "given_at_1": given.strftime("%H:%M:%S"),
        **overrides,
    }


def test_consent_added_in_the_admin_goes_through_the_service(admin_client, superuser, field):
    household = field.households[2]

    response = admin_client.post(reverse("admin:scheduling_consent_add"), consent_form(household))

    assert response.status_code == 302
    consent = Consent.objects.get(household=household, kind=ConsentKind.MARKETING)
    assert (consent.version, consent.recorded_by) == ("4.0", superuser)
    event = AuditEvent.objects.get(action=AuditAction.CONSENT_GIVEN)
    assert (event.actor, event.target) == (superuser, household.code)


def test_consent_given_in_the_future_is_refused_on_its_field(admin_client, field):
    household = field.households[2]
    later = timezone.localtime() + dt.timedelta(days=3)

    response = admin_client.post(
        reverse("admin:scheduling_consent_add"),
        consent_form(household, given_at_0=later.strftime("%Y-%m-%d")),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "given_at": ["Consent cannot be given in the future."]
    }
    assert not Consent.objects.filter(household=household, kind="marketing").exists()


def test_the_withdraw_action_withdraws_and_audits(admin_client, field):
    consent = Consent.objects.get(household=field.households[0], kind=ConsentKind.MARKETING)

    response = admin_client.post(
        reverse("admin:scheduling_consent_changelist"),
        {"action": "withdraw", "_selected_action": [consent.pk]},
    )

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_WITHDRAWN).count() == 1


def test_consent_records_are_never_deleted_in_the_admin(admin_client, field):
    consent = Consent.objects.filter(household=field.households[0]).first()

    response = admin_client.post(reverse("admin:scheduling_consent_delete", args=[consent.pk]))

    assert response.status_code == 403
    assert Consent.objects.filter(pk=consent.pk).exists()


def test_the_erase_action_asks_first_then_erases(admin_client, field):
    household = field.households[0]
    changelist = reverse("admin:scheduling_household_changelist")
    chosen = {"action": "erase", "_selected_action": [household.pk]}

    asked = admin_client.post(changelist, chosen)
    erased = admin_client.post(
        changelist,
        {**chosen, "confirm_erasure": "1", "requested_on": "2026-11-30", "confirm": "on"},
    )

    assert asked.status_code == 200
    assert "Erase for good" in asked.content.decode()
    assert erased.status_code == 302
    assert Erasure.objects.get().household == household
    assert not HouseholdContact.objects.filter(household=household).exists()


def test_opening_a_contact_in_the_admin_is_audited(admin_client, superuser, field):
    contact = field.households[0].contact

    admin_client.get(reverse("admin:scheduling_householdcontact_change", args=[contact.pk]))
    admin_client.get(reverse("admin:scheduling_householdcontact_changelist"))
    admin_client.get(reverse("admin:scheduling_household_change", args=[field.households[1].pk]))

    viewed = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).order_by("at")
    assert [(e.actor, e.detail["where"], len(e.detail["households"])) for e in viewed] == [
        (superuser, "admin contact", 1),
        (superuser, "admin list", 3),
        (superuser, "admin household", 1),
    ]
