"""Invitations to a study's team, sent through a real SMTP server and followed as people do.

studies/scheduling/services/invitations.py, the invitation page (frontend/invitations.py)
and the API (studies/scheduling/api/views/team.py).
"""

import datetime as dt
import threading
import zoneinfo
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections
from django.test import Client
from django.utils import dateformat

from studies.accounts.models import hash_key
from studies.common.errors import ConflictError
from studies.common.models import AuditAction, AuditEvent, User
from studies.common.roles import Role
from studies.scheduling.models import Invitation, StudyMembership, StudyStatus
from studies.scheduling.services import invitations
from tests.factories import UserFactory
from tests.mail import html_of, link_in, text_of

PASSWORD = "a long and unusual passphrase"


def invite(team, email: str = "Nora.New@Example.org", role: str = Role.RESEARCHER) -> Invitation:
    return invitations.invitation_send(study=team.study, email=email, role=role, actor=team.lead)


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")


def join_as_new(client: Client, link: str, **changes: str):
    data = {
        "username": "nora",
        "first_name": "Nora",
        "last_name": "Nguyen",
        "password": PASSWORD,
        "password_again": PASSWORD,
        **changes,
    }
    return client.post(path_of(link), data)


# --- Sending ---------------------------------------------------------------------------------


def test_the_invitation_email_names_the_study_role_inviter_expiry_and_link(team, smtp_server):
    team.lead.first_name, team.lead.last_name = "Lena", "Lead"
    team.lead.save()

    invitation = invite(team)

    [message] = smtp_server.wait_for(1)
    assert smtp_server.envelopes[0][1] == ["nora.new@example.org"]
    assert message["To"] == "nora.new@example.org"
    assert team.study.title in message["Subject"]
    text = text_of(message)
    assert "Lena Lead invites you" in text
    assert "as Researcher" in text
    expires = invitation.expires_at.astimezone(zoneinfo.ZoneInfo("Europe/London"))
    assert f"until {dateformat.format(expires, 'j F Y, H:i')} (Europe/London)" in text
    link = link_in(message)
    assert link.startswith("http://testserver/invitations/")
    assert link in html_of(message)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert Invitation.objects.get().token_hash == hash_key(token)  # only the hash is stored
    assert token not in str(Invitation.objects.values().get())


def test_it_stores_the_address_in_lower_case_and_expires_in_seven_days(team, smtp_server):
    invitation = invite(team, email="  Nora.New@Example.ORG ")

    assert invitation.email == "nora.new@example.org"
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        dt.timedelta(days=7), abs=dt.timedelta(seconds=5)
    )
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_SENT)
    assert (event.actor, event.study_id, event.target) == (
        team.lead,
        team.study.pk,
        "nora.new@example.org",
    )
    assert event.detail == {
        "invitation": str(invitation.pk),
        "role": "researcher",
        "replaced": False,
    }


def test_it_refuses_someone_already_on_the_team_whatever_the_case(team, smtp_server):
    team.researcher.email = "Rita@Example.org"
    team.researcher.save()

    with pytest.raises(ValidationError) as refused:
        invite(team, email="rita@EXAMPLE.org")

    assert refused.value.message_dict == {
        "email": ["rita@example.org is already on this study's team."]
    }
    assert not Invitation.objects.exists()
    assert smtp_server.messages == []


def test_it_refuses_a_bad_address_or_role_and_a_closed_study(team, smtp_server):
    with pytest.raises(ValidationError) as bad_address:
        invite(team, email="not an address")
    with pytest.raises(ValidationError) as bad_role:
        invite(team, role="overlord")
    team.study.status = StudyStatus.CLOSED
    team.study.save()
    with pytest.raises(ConflictError):
        invite(team)

    assert list(bad_address.value.message_dict) == ["email"]
    assert list(bad_role.value.message_dict) == ["role"]
    assert not Invitation.objects.exists()
    assert smtp_server.messages == []


def test_inviting_again_replaces_the_open_invitation_and_its_link(team, smtp_server, client):
    first = invite(team, role=Role.PRODUCT)
    second = invite(team, role=Role.MARKETING)

    first.refresh_from_db()
    assert first.withdrawn_at is not None
    assert Invitation.objects.filter(withdrawn_at__isnull=True).get() == second
    old_link, new_link = (link_in(message) for message in smtp_server.wait_for(2))
    assert client.get(path_of(old_link)).status_code == 410
    assert client.get(path_of(new_link)).status_code == 200


def test_nothing_is_saved_when_the_email_cannot_be_sent(team, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    with pytest.raises(ValidationError) as refused:
        invite(team)

    assert "could not be sent" in refused.value.message_dict["email"][0]
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT).exists()


# --- Following the link ------------------------------------------------------------------------


def test_a_new_person_follows_the_link_sets_a_password_and_lands_in_the_study(
    team, smtp_server, client
):
    invite(team)
    link = link_in(smtp_server.wait_for(1)[0])

    page = client.get(path_of(link))
    assert page.status_code == 200
    assert b'value="nora.new"' in page.content  # the username, suggested from the address

    joined = join_as_new(client, link)

    assert joined.status_code == 302
    assert joined["Location"] == f"/studies/{team.study.pk}/"
    nora = User.objects.get(username="nora")
    assert (nora.email, nora.first_name, nora.time_zone) == (
        "nora.new@example.org",
        "Nora",
        "Europe/London",
    )
    assert nora.check_password(PASSWORD)
    assert StudyMembership.objects.get(study=team.study, user=nora).role == Role.RESEARCHER
    assert client.get(f"/studies/{team.study.pk}/").status_code == 200  # signed in
    invitation = Invitation.objects.get()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (nora, True)
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        AuditAction.INVITATION_SENT,
        AuditAction.INVITATION_ACCEPTED,
        AuditAction.ROLE_GRANTED,
    }


def test_the_new_account_form_refuses_bad_input_and_saves_nothing(team, smtp_server, client):
    UserFactory(username="taken")
    invite(team)
    link = link_in(smtp_server.wait_for(1)[0])

    mismatch = join_as_new(client, link, password_again="something else entirely")
    weak = join_as_new(client, link, password="12345678", password_again="12345678")
    taken = join_as_new(client, link, username="TAKEN")
    nameless = join_as_new(client, link, first_name="")

    assert [r.status_code for r in (mismatch, weak, taken, nameless)] == [400, 400, 400, 400]
    assert "The two passwords differ" in mismatch.content.decode()
    assert "too common" in weak.content.decode()
    assert "This username is taken" in taken.content.decode()
    assert "This field is required" in nameless.content.decode()
    assert not User.objects.filter(email="nora.new@example.org").exists()
    assert Invitation.objects.get().accepted_at is None  # the link still works
    assert join_as_new(client, link).status_code == 302


def test_an_existing_account_signs_in_and_joins(team, smtp_server, client):
    nora = UserFactory(username="nora", email="NORA.NEW@example.org")
    invite(team, role=Role.PRODUCT)
    link = link_in(smtp_server.wait_for(1)[0])

    anonymous = client.get(path_of(link))
    assert anonymous.status_code == 200
    assert f'href="/login/?next={quote(path_of(link))}"' in anonymous.content.decode()
    assert b'name="password_again"' not in anonymous.content  # no new account for them

    client.force_login(nora)
    page = client.get(path_of(link))
    joined = client.post(path_of(link))

    assert b"Join " in page.content
    assert joined.status_code == 302
    assert StudyMembership.objects.get(study=team.study, user=nora).role == Role.PRODUCT
    assert User.objects.filter(email__iexact="nora.new@example.org").count() == 1


def test_someone_signed_in_as_another_account_is_offered_to_sign_out(team, smtp_server, client):
    invite(team)
    link = link_in(smtp_server.wait_for(1)[0])
    client.force_login(team.outsider)

    page = client.get(path_of(link))
    refused = client.post(path_of(link))

    assert page.status_code == 200
    assert "Sign out and continue" in page.content.decode()
    assert refused.status_code == 400
    assert not StudyMembership.objects.filter(study=team.study, user=team.outsider).exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize(
    ("spoil", "status", "message"),
    [
        ("tamper", 404, "This invitation link is not valid."),
        ("expire", 410, "This invitation has expired."),
        ("withdraw", 410, "This invitation was withdrawn."),
        ("use", 410, "This invitation has already been used."),
    ],
)
def test_a_spoiled_link_gets_a_clear_page_and_changes_nothing(
    team, smtp_server, client, time_machine, spoil, status, message
):
    invitation = invite(team)
    link = path_of(link_in(smtp_server.wait_for(1)[0]))
    if spoil == "tamper":
        link = link[:-5] + ("A" if link[-5] != "A" else "B") + link[-4:]
    elif spoil == "expire":
        time_machine.move_to(invitation.expires_at + dt.timedelta(seconds=1))
    elif spoil == "withdraw":
        invitations.invitation_withdraw(invitation=invitation, actor=team.lead)
    else:
        assert join_as_new(Client(), link).status_code == 302
    members_before = StudyMembership.objects.count()

    page = client.get(link)
    posted = join_as_new(client, link, username="someone")

    assert (page.status_code, posted.status_code) == (status, status)
    assert message in page.content.decode()
    assert "Ask the study’s research lead to send you a new invitation" in page.content.decode()
    assert StudyMembership.objects.count() == members_before
    assert not User.objects.filter(username="someone").exists()


def test_the_invitee_who_joined_and_opens_the_link_again_goes_to_the_study(
    team, smtp_server, client
):
    invite(team)
    link = path_of(link_in(smtp_server.wait_for(1)[0]))
    join_as_new(client, link)

    again = client.get(link)

    assert again.status_code == 302
    assert again["Location"] == f"/studies/{team.study.pk}/"


@pytest.mark.django_db(transaction=True)
def test_two_accepts_at_once_make_one_member(smtp_server):
    from tests.conftest import make_team

    team = make_team()
    nora = UserFactory(username="nora", email="nora.new@example.org")
    invite(team)
    token = link_in(smtp_server.wait_for(1)[0]).rstrip("/").rsplit("/", 1)[1]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def accept() -> None:
        start.wait()
        try:
            invitations.invitation_accept(token=token, user=nora)
            outcomes.append("joined")
        except invitations.InvitationGone:
            outcomes.append("gone")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["gone", "joined"]
    assert StudyMembership.objects.filter(study=team.study, user=nora).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED).count() == 1


# --- The API -----------------------------------------------------------------------------------


def test_the_lead_invites_lists_and_withdraws_through_the_api(team, smtp_server, client_for):
    api = client_for(team.lead)
    url = f"/api/v1/studies/{team.study.pk}/invitations/"

    made = api.post(url, {"email": "Paul@Example.org", "role": "product"})
    listed = api.get(url)
    withdrawn = api.delete(f"{url}{made.data['id']}/")
    again = api.delete(f"{url}{made.data['id']}/")

    assert made.status_code == 201
    assert made.data["email"] == "paul@example.org"
    assert made.data["invited_by"] == "lead"
    assert set(made.data) == {
        "id",
        "study",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
    }
    assert [row["email"] for row in listed.data] == ["paul@example.org"]
    assert (withdrawn.status_code, again.status_code) == (204, 404)
    assert api.get(url).data == []
    assert len(smtp_server.wait_for(1)) == 1


def test_the_api_refuses_an_existing_member_with_a_field_error(team, smtp_server, client_for):
    team.product.email = "pat@example.org"
    team.product.save()

    answer = client_for(team.lead).post(
        f"/api/v1/studies/{team.study.pk}/invitations/",
        {"email": "PAT@example.org", "role": "sales"},
    )

    assert answer.status_code == 400
    assert answer.data == {
        "errors": {"email": ["pat@example.org is already on this study's team."]}
    }


@pytest.mark.parametrize("persona", ["researcher", "product", "outsider", None])
def test_only_the_lead_sends_or_lists_invitations(team, smtp_server, client_for, persona):
    user = getattr(team, persona) if persona else None
    url = f"/api/v1/studies/{team.study.pk}/invitations/"
    api = client_for(user)

    made = api.post(url, {"email": "x@example.org", "role": "sales"})
    listed = api.get(url)

    expected = {None: 401, "outsider": 404}.get(persona, 403)
    assert (made.status_code, listed.status_code) == (expected, expected)
    assert not Invitation.objects.exists()
    assert smtp_server.messages == []


def test_an_existing_account_accepts_through_the_api(team, smtp_server, client_for):
    nora = UserFactory(username="nora", email="nora.new@example.org")
    invite(team, role=Role.SALES)
    token = link_in(smtp_server.wait_for(1)[0]).rstrip("/").rsplit("/", 1)[1]

    wrong_account = client_for(team.outsider).post("/api/v1/invitations/accept/", {"token": token})
    accepted = client_for(nora).post("/api/v1/invitations/accept/", {"token": token})
    reused = client_for(nora).post("/api/v1/invitations/accept/", {"token": token})
    tampered = client_for(nora).post("/api/v1/invitations/accept/", {"token": token + "x"})

    assert wrong_account.status_code == 400
    assert list(wrong_account.data["errors"]) == ["token"]
    assert accepted.status_code == 200
    assert accepted.data == {
        "study": str(team.study.pk),
        "membership": {"username": "nora", "name": nora.get_full_name(), "role": "sales"},
        "joined": True,
    }
    assert reused.status_code == 410
    assert reused.data == {"errors": {"token": ["This invitation has already been used."]}}
    assert tampered.status_code == 404
    assert StudyMembership.objects.get(study=team.study, user=nora).role == Role.SALES
