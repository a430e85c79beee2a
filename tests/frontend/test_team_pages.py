"""The team page (frontend/setup_pages/team.py): inviting by e-mail, changing roles, removing."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from studies.common.models import AuditAction, AuditEvent
from studies.common.roles import Role
from studies.fieldwork.models import Observation
from studies.scheduling import selectors
from studies.scheduling.models import Invitation, StudyMembership, StudyStatus, Visit, VisitStatus
from studies.scheduling.services import invitations
from tests.factories import MembershipFactory, ObservationFactory, UserFactory
from tests.mail import link_in


def team_url(study) -> str:
    return f"/studies/{study.pk}/team/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_lead_sees_members_roles_emails_and_open_invitations(team, smtp_server):
    invitations.invitation_send(
        study=team.study, email="nora@example.org", role=Role.SALES, actor=team.lead
    )

    page = signed_in(team.lead).get(team_url(team.study))

    assert page.status_code == 200
    html = page.content.decode()
    for persona in ("lead", "researcher", "researcher2", "product", "marketing", "sales"):
        assert f"@{persona}" in html
    assert "outsider" not in html
    assert "lead@example.org" in html
    assert "nora@example.org" in html
    assert "Send invitation" in html
    assert "Change role" in html


@pytest.mark.parametrize("persona", ["researcher", "product", "sales"])
def test_other_members_read_the_team_without_emails_or_controls(team, smtp_server, persona):
    invitations.invitation_send(
        study=team.study, email="nora@example.org", role=Role.SALES, actor=team.lead
    )

    page = signed_in(getattr(team, persona)).get(team_url(team.study))

    assert page.status_code == 200
    html = page.content.decode()
    assert "@lead" in html
    assert "lead@example.org" not in html
    assert "nora@example.org" not in html
    assert "Send invitation" not in html
    assert "Change role" not in html


def test_outsiders_get_404_and_anonymous_visitors_sign_in(team, client):
    assert signed_in(team.outsider).get(team_url(team.study)).status_code == 404
    answer = client.get(team_url(team.study))
    assert answer.status_code == 302
    assert answer["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("persona", ["researcher", "product", "outsider"])
def test_only_the_lead_invites_changes_roles_or_removes(team, smtp_server, persona):
    client = signed_in(getattr(team, persona))
    expected = 404 if persona == "outsider" else 403
    study = team.study

    answers = [
        client.post(f"{team_url(study)}invite/", {"email": "x@example.org", "role": "sales"}),
        client.post(f"{team_url(study)}members/sales/role/", {"role": "research_lead"}),
        client.get(f"{team_url(study)}members/sales/remove/"),
        client.post(f"{team_url(study)}members/sales/remove/"),
    ]

    assert [answer.status_code for answer in answers] == [expected] * 4
    assert not Invitation.objects.exists()
    assert StudyMembership.objects.get(study=study, user=team.sales).role == Role.SALES
    assert smtp_server.messages == []


def test_the_lead_invites_and_the_email_arrives(team, smtp_server):
    client = signed_in(team.lead)

    sent = client.post(
        f"{team_url(team.study)}invite/", {"email": "Nora@Example.org", "role": "marketing"}
    )

    assert sent.status_code == 302
    page = client.get(sent["Location"])
    assert "Invitation sent to nora@example.org as Marketing." in page.content.decode()
    [message] = smtp_server.wait_for(1)
    assert "/invitations/" in link_in(message)
    assert Invitation.objects.get().role == Role.MARKETING


def test_inviting_a_member_or_a_bad_address_shows_the_field_message(team, smtp_server):
    client = signed_in(team.lead)
    team.product.email = "pat@example.org"
    team.product.save()

    member = client.post(
        f"{team_url(team.study)}invite/", {"email": "PAT@example.org", "role": "sales"}
    )
    bad = client.post(
        f"{team_url(team.study)}invite/", {"email": "pat at example", "role": "sales"}
    )
    no_role = client.post(f"{team_url(team.study)}invite/", {"email": "a@example.org", "role": "x"})

    assert (member.status_code, bad.status_code, no_role.status_code) == (400, 400, 400)
    assert "pat@example.org is already on this study&#x27;s team." in member.content.decode()
    assert "Enter a valid email address." in bad.content.decode()
    assert "Select a valid choice." in no_role.content.decode()
    assert not Invitation.objects.exists()
    assert smtp_server.messages == []


def test_the_lead_withdraws_and_resends_invitations(team, smtp_server):
    client = signed_in(team.lead)
    first = invitations.invitation_send(
        study=team.study, email="nora@example.org", role=Role.SALES, actor=team.lead
    )
    other = invitations.invitation_send(
        study=team.study, email="omar@example.org", role=Role.PRODUCT, actor=team.lead
    )

    resent = client.post(f"{team_url(team.study)}invitations/{first.pk}/resend/")
    withdrawn = client.post(f"{team_url(team.study)}invitations/{other.pk}/withdraw/")
    again = client.post(f"{team_url(team.study)}invitations/{other.pk}/withdraw/")

    assert (resent.status_code, withdrawn.status_code, again.status_code) == (302, 302, 404)
    open_now = list(invitations.invitation_list_open(study=team.study))
    assert [(i.email, i.role) for i in open_now] == [("nora@example.org", Role.SALES)]
    assert open_now[0].pk != first.pk
    assert len(smtp_server.wait_for(3)) == 3
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_WITHDRAWN).count() == 1


def test_the_lead_changes_a_role(team):
    client = signed_in(team.lead)

    changed = client.post(f"{team_url(team.study)}members/sales/role/", {"role": "product"})

    assert changed.status_code == 302
    assert StudyMembership.objects.get(study=team.study, user=team.sales).role == Role.PRODUCT
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGED, target="sales").exists()


def test_the_last_lead_cannot_be_demoted_or_removed(team):
    second = MembershipFactory(
        study=team.study, role=Role.RESEARCH_LEAD, user=UserFactory(username="second")
    ).user
    client = signed_in(second)
    assert client.post(f"{team_url(team.study)}members/lead/remove/").status_code == 302

    demoted = client.post(f"{team_url(team.study)}members/second/role/", {"role": "researcher"})
    removed = client.post(f"{team_url(team.study)}members/second/remove/")

    assert (demoted.status_code, removed.status_code) == (409, 409)
    assert "second is the study&#x27;s only research lead." in demoted.content.decode()
    assert "second is the study&#x27;s only research lead." in removed.content.decode()
    assert StudyMembership.objects.get(study=team.study, user=second).role == Role.RESEARCH_LEAD


def test_removing_asks_for_confirmation_first(team):
    page = signed_in(team.lead).get(f"{team_url(team.study)}members/researcher/remove/")

    assert page.status_code == 200
    assert "What they captured" in page.content.decode()
    assert StudyMembership.objects.filter(study=team.study, user=team.researcher).exists()


def test_a_removed_researcher_keeps_her_data_and_her_open_visits_are_flagged(world):
    team = world.team
    finished = Visit.objects.filter(researcher=team.researcher, status=VisitStatus.COMPLETED)
    note = ObservationFactory(visit=finished.first())
    observations_before = Observation.objects.filter(author=team.researcher).count()
    client = signed_in(team.lead)

    removed = client.post(f"{team_url(team.study)}members/researcher/remove/")
    page = client.get(removed["Location"])

    assert removed.status_code == 302
    assert not StudyMembership.objects.filter(study=team.study, user=team.researcher).exists()
    assert list(selectors.visits_to_reassign(study=team.study)) == [world.visit]
    assert Observation.objects.filter(author=team.researcher).count() == observations_before
    assert Observation.objects.filter(pk=note.pk).exists()
    assert finished.count() == 2
    html = page.content.decode()
    assert "1 open visit needs a new researcher." in html
    try:
        staffing = reverse("frontend:staffing", args=[team.study.pk])
    except NoReverseMatch:
        staffing = ""
    if staffing:
        assert f'href="{staffing}"' in html
    event = AuditEvent.objects.get(action=AuditAction.ROLE_REVOKED, target="researcher")
    assert event.actor == team.lead


def test_a_closed_study_shows_its_team_and_refuses_changes(team, smtp_server):
    team.study.status = StudyStatus.CLOSED
    team.study.save()
    client = signed_in(team.lead)

    page = client.get(team_url(team.study))
    invited = client.post(
        f"{team_url(team.study)}invite/", {"email": "x@example.org", "role": "sales"}
    )
    changed = client.post(f"{team_url(team.study)}members/sales/role/", {"role": "product"})
    removed = client.post(f"{team_url(team.study)}members/sales/remove/")

    assert page.status_code == 200
    assert "This study is closed" in page.content.decode()
    assert "Send invitation" not in page.content.decode()
    assert (invited.status_code, changed.status_code, removed.status_code) == (409, 409, 409)
    assert StudyMembership.objects.get(study=team.study, user=team.sales).role == Role.SALES
    assert not Invitation.objects.exists()


def test_the_team_page_reads_in_a_fixed_number_of_queries(
    team, smtp_server, django_assert_num_queries
):
    for n in range(3):
        invitations.invitation_send(
            study=team.study, email=f"p{n}@example.org", role=Role.SALES, actor=team.lead
        )
    client = signed_in(team.lead)

    # Session, user, study, role, members (with their users), open invitations (with their
    # inviters), the count of visits to reassign, the menu's "does this user visit?": the
    # same however many members and invitations there are.
    with django_assert_num_queries(8):
        assert client.get(team_url(team.study)).status_code == 200
