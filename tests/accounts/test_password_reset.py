"""Password reset (Django's views, our pages): the e-mail through a real SMTP server, its link
followed, the rate limits, the audit log and the sign-in page's link."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from studies.common.models import AuditAction, AuditEvent
from tests.factories import UserFactory
from tests.mail import link_in, text_of

NEW_PASSWORD = "a fresh and unusual passphrase"


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", email="Ada@Example.org")


def request_reset(client: Client, email: str, address: str = "203.0.113.5"):
    return client.post("/password-reset/", {"email": email}, REMOTE_ADDR=address)


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")


def test_the_sign_in_page_links_to_it(client):
    page = client.get("/login/")

    assert b'href="/password-reset/"' in page.content
    assert b"Forgot your password?" in page.content


def test_a_forgotten_password_is_reset_through_the_emailed_link(ada, smtp_server, client):
    asked = request_reset(client, "ada@example.org")

    assert asked.status_code == 302
    assert asked["Location"] == "/password-reset/sent/"
    [message] = smtp_server.wait_for(1)
    assert smtp_server.envelopes[0][1] == ["Ada@Example.org"]
    assert message["Subject"] == "Reset your ResearchHub password"
    assert "Hello ada" in text_of(message)
    link = link_in(message, "/password-reset/")

    form = client.get(path_of(link), follow=True)
    assert form.status_code == 200
    assert b"new_password1" in form.content
    saved = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert saved.status_code == 302
    assert saved["Location"] == "/password-reset/done/"
    assert b"Password changed" in client.get("/password-reset/done/").content

    signed_in = Client().post("/login/", {"username": "ada", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)
    assert client.get(path_of(link)).status_code == 410  # a link works once
    completed = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET_COMPLETED)
    assert (completed.actor, completed.target) == (ada, "ada")


def test_an_unknown_address_gets_the_same_answer_and_no_email(ada, smtp_server, client):
    known = request_reset(client, "ada@example.org")
    unknown = request_reset(client, "nobody@example.org")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(smtp_server.wait_for(1)) == 1
    events = list(AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REQUESTED))
    assert len(events) == 2
    # The same kind of row either way: the log does not tell whether an account exists.
    assert [set(event.detail) for event in events] == [{"address"}, {"address"}]
    assert all(event.actor is None and event.target == "" for event in events)
    assert "ada" not in str(events[0].detail).lower()
    assert [event.ip_address for event in events] == ["203.0.113.5", "203.0.113.5"]


def test_a_tampered_link_is_refused_and_changes_nothing(ada, smtp_server, client):
    request_reset(client, "ada@example.org")
    link = path_of(link_in(smtp_server.wait_for(1)[0], "/password-reset/"))
    tampered = link[:-3] + ("x" if link[-3] != "x" else "y") + link[-2:]

    page = client.get(tampered, follow=True)

    assert page.status_code == 410
    assert b"This link does not work" in page.content
    ada.refresh_from_db()
    assert ada.check_password("correct horse battery staple")


def test_too_many_requests_for_one_address_send_no_more_emails(ada, smtp_server, client, settings):
    settings.RESEARCHHUB_PASSWORD_RESET_RATE_EMAIL = "2/hour"

    answers = [
        request_reset(client, "ada@example.org", address=f"198.51.100.{n}") for n in range(4)
    ]

    assert [answer.status_code for answer in answers] == [302, 302, 302, 302]
    assert {answer["Location"] for answer in answers} == {"/password-reset/sent/"}
    assert len(smtp_server.wait_for(2)) == 2
    assert len(smtp_server.messages) == 2
    limited = AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_RESET_REQUESTED, detail__limited="address"
    )
    assert limited.count() == 2


def test_too_many_requests_from_one_client_are_answered_429(ada, smtp_server, client, settings):
    settings.RESEARCHHUB_PASSWORD_RESET_RATE_IP = "3/hour"

    answers = [request_reset(client, f"person{n}@example.org") for n in range(3)]
    refused = request_reset(client, "ada@example.org")

    assert [answer.status_code for answer in answers] == [302, 302, 302]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert b"Too many requests" in refused.content
    assert smtp_server.messages == []  # none of the three was an account; ada's was refused
    assert AuditEvent.objects.filter(detail__limited="client").count() == 1


def test_a_reset_lifts_the_lock_out_a_forgotten_password_earned(ada, smtp_server, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/login/", {"username": "ada", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="ada").exists()
    client = Client()
    request_reset(client, "ada@example.org")
    form = client.get(path_of(link_in(smtp_server.wait_for(1)[0], "/password-reset/")), follow=True)

    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert not AccessAttempt.objects.filter(username="ada").exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT_LIFTED, target="ada").exists()
    assert (
        Client().post("/login/", {"username": "ada", "password": NEW_PASSWORD}).status_code == 302
    )


def test_a_weak_new_password_is_refused_with_the_field_message(ada, smtp_server, client):
    request_reset(client, "ada@example.org")
    form = client.get(path_of(link_in(smtp_server.wait_for(1)[0], "/password-reset/")), follow=True)

    refused = client.post(
        form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )

    assert refused.status_code == 400
    assert b"too common" in refused.content
    ada.refresh_from_db()
    assert ada.check_password("correct horse battery staple")


def test_a_malformed_address_is_refused_with_the_field_message(smtp_server, client):
    refused = request_reset(client, "not an address")

    assert refused.status_code == 400
    assert b"Enter a valid email address." in refused.content
    assert smtp_server.messages == []
