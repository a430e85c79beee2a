"""The audit log: who viewed or exported personal data, changed consent, exported quotes,
changed roles or routing rules. Append-only, filterable in the admin, exportable."""

import csv
import io

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from studies.common.audit import audit_record
from studies.common.models import AuditAction, AuditEvent
from studies.synthesis.models import RoutingRule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("at").values_list("action", flat=True))


def test_an_entry_cannot_be_changed_or_deleted(team):
    event = audit_record(actor=team.lead, action=AuditAction.CONSENT_GIVEN, target="H-001")
    event.target = "H-002"

    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(target="H-002")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().target == "H-001"


def test_on_postgresql_the_database_itself_refuses_changes(team):
    event = audit_record(actor=team.lead, action=AuditAction.CONSENT_GIVEN, target="H-001")
    table = AuditEvent._meta.db_table
    statements = [f"UPDATE {table} SET target = 'H-002'", f"DELETE FROM {table}"]  # noqa: S608

    refused = []
    for statement in statements:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
        except DatabaseError:
            refused.append(statement)

    # SQLite has no such trigger (its test databases are emptied row by row); there the
    # model and queryset guards above are what stands.
    expected = statements if connection.vendor == "postgresql" else []
    assert refused == expected
    if connection.vendor == "postgresql":
        assert AuditEvent.objects.get(pk=event.pk).target == "H-001"


def test_deleting_a_user_keeps_their_entries(team):
    leaver = UserFactory(username="leaver")
    audit_record(actor=leaver, action=AuditAction.QUOTES_EXPORTED)

    leaver.delete()

    assert list(AuditEvent.objects.values_list("actor_username", flat=True)) == ["leaver"]


def test_role_changes_through_the_api_are_audited(client_for, team):
    newcomer = UserFactory(username="newcomer")
    url = f"/api/v1/studies/{team.study.pk}/members/"
    lead = client_for(team.lead)

    lead.post(url, {"username": "newcomer", "role": "researcher"})
    lead.post(url, {"username": "newcomer", "role": "researcher"})  # no change, no entry
    lead.post(url, {"username": "newcomer", "role": "product"})
    lead.delete(f"{url}newcomer/")

    entries = AuditEvent.objects.order_by("at")
    assert [(e.action, e.target, e.actor, e.study_id, e.detail) for e in entries] == [
        (
            AuditAction.ROLE_GRANTED,
            newcomer.username,
            team.lead,
            team.study.pk,
            {"role": "researcher"},
        ),
        (
            AuditAction.ROLE_CHANGED,
            newcomer.username,
            team.lead,
            team.study.pk,
            {"role": "product", "previous_role": "researcher"},
        ),
        (
            AuditAction.ROLE_REVOKED,
            newcomer.username,
            team.lead,
            team.study.pk,
            {"previous_role": "product"},
        ),
    ]


def test_a_refused_role_change_records_nothing(client_for, team):
    UserFactory(username="newcomer")

    response = client_for(team.researcher).post(
        f"/api/v1/studies/{team.study.pk}/members/", {"username": "newcomer", "role": "lead"}
    )

    assert response.status_code in {400, 403}
    assert actions() == []


def test_routing_rule_changes_are_audited(client_for, field):
    admin = UserFactory(username="admin", is_staff=True)
    client = client_for(admin)
    created = client.post(
        "/api/v1/routing-rules/", {"board": str(field.marketing.pk), "tag": str(field.loose.pk)}
    )
    assert created.status_code == 201, created.json()
    rule_id = created.json()["rule"]["id"]
    rule_url = f"/api/v1/routing-rules/{rule_id}/"

    client.patch(rule_url, {"active": False})
    client.delete(rule_url)

    assert actions() == [
        AuditAction.ROUTING_RULE_CREATED,
        AuditAction.ROUTING_RULE_CHANGED,
        AuditAction.ROUTING_RULE_DELETED,
    ]
    changed = AuditEvent.objects.get(action=AuditAction.ROUTING_RULE_CHANGED)
    assert (changed.actor, changed.detail["active"], changed.detail["before"]["active"]) == (
        admin,
        False,
        True,
    )
    assert not RoutingRule.objects.filter(pk=rule_id).exists()


def test_quote_exports_are_audited_with_their_filters(client_for, field, quotable):
    marketer = client_for(field.team.marketing)

    b"".join(marketer.get("/api/v1/quotes/export.csv", {"text": "freezer"}).streaming_content)
    b"".join(marketer.get("/api/v1/quotes/export.md").streaming_content)

    entries = AuditEvent.objects.order_by("at")
    assert [(e.action, e.actor, e.detail) for e in entries] == [
        (
            AuditAction.QUOTES_EXPORTED,
            field.team.marketing,
            {"format": "csv", "filters": {"text": "freezer"}},
        ),
        (AuditAction.QUOTES_EXPORTED, field.team.marketing, {"format": "markdown", "filters": {}}),
    ]


@pytest.mark.parametrize(("persona", "recorded"), [("lead", True), ("product", False)])
def test_viewing_a_households_contact_is_audited(client, field, persona, recorded):
    visit = field.quotes[0].visit
    client.force_login(getattr(field.team, persona))

    response = client.get(reverse("frontend:visit", args=[visit.pk]))

    assert response.status_code == 200
    viewed = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert [(e.actor, e.target, e.detail["where"]) for e in viewed] == (
        [(field.team.lead, visit.household.code, "visit page")] if recorded else []
    )


def test_the_household_api_audits_contacts_shown_to_the_lead_only(client_for, field):
    household = field.households[0]

    client_for(field.team.marketing).get(f"/api/v1/households/{household.pk}/")
    client_for(field.team.lead).get(f"/api/v1/households/{household.pk}/")

    viewed = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert [(e.actor, e.target) for e in viewed] == [(field.team.lead, household.code)]


def test_the_admin_filters_the_log_and_exports_it_as_csv(admin_client, team):
    audit_record(actor=team.lead, action=AuditAction.CONSENT_GIVEN, target="H-001")
    audit_record(actor=team.marketing, action=AuditAction.QUOTES_EXPORTED)
    changelist = reverse("admin:common_auditevent_changelist")

    consent_only = admin_client.get(changelist, {"kind": "consent"})
    exported = admin_client.post(
        changelist,
        {
            "action": "export_csv",
            "_selected_action": list(AuditEvent.objects.values_list("pk", flat=True)),
        },
    )

    assert [e.action for e in consent_only.context["cl"].result_list] == ["consent.given"]
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [row[1:3] for row in rows] == [
        ["who", "action"],
        ["lead", "consent.given"],
        ["marketing", "quotes.exported"],
    ]
    assert actions()[-1] == AuditAction.AUDIT_EXPORTED


def test_the_admin_offers_no_way_to_change_or_delete_an_entry(admin_client, team):
    event = audit_record(actor=team.lead, action=AuditAction.CONSENT_GIVEN)

    page = admin_client.get(reverse("admin:common_auditevent_changelist"))
    delete = admin_client.post(reverse("admin:common_auditevent_delete", args=[event.pk]))

    assert "delete_selected" not in page.content.decode()
    assert delete.status_code == 403
    assert AuditEvent.objects.count() == 1


def test_role_changes_in_the_admin_are_audited(admin_client, team):
    membership = team.study.memberships.get(user=team.product)
    url = reverse("admin:scheduling_studymembership_change", args=[membership.pk])

    response = admin_client.post(
        url, {"user": team.product.pk, "study": team.study.pk, "role": "marketing"}
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert (event.action, event.target, event.detail) == (
        AuditAction.ROLE_CHANGED,
        "product",
        {"role": "marketing", "previous_role": "product"},
    )


def test_the_today_page_audits_the_addresses_it_shows(client, world):
    client.force_login(world.team.researcher)

    response = client.get(reverse("frontend:today"))

    assert response.status_code == 200
    viewed = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert (viewed.actor, viewed.detail) == (
        world.team.researcher,
        {"households": [world.visit.household.code], "where": "today page"},
    )
