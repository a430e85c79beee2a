"""Sign-in lock-out: a limit on wrong passwords per account that holds under parallel
requests, a clear page while locked, and an administrator who sees and lifts it."""

import re
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings

from studies.accounts.services import api_token_create
from studies.common.models import AuditAction, AuditEvent
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"  # UserFactory's
WRONG_CREDENTIALS = "Please enter a correct username and password."
LOCKED_OUT = "ask an administrator to lift the lock-out"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Answer:
    status: int
    url: str
    body: str


class Browser:
    """One person's cookies over real HTTP: fetch the sign-in page, then post to it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.csrf_token = ""

    def open_sign_in(self) -> None:
        page = self.opener.open(f"{self.base_url}/login/", timeout=60).read().decode()
        self.csrf_token = CSRF_TOKEN.search(page).group(1)

    def sign_in(self, username: str, password: str) -> Answer:
        body = urlencode(
            {"csrfmiddlewaretoken": self.csrf_token, "username": username, "password": password}
        ).encode()
        try:
            with self.opener.open(f"{self.base_url}/login/", data=body, timeout=60) as response:
                return Answer(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.url, error.read().decode())


def sign_in_once(base_url: str, username: str, password: str) -> Answer:
    browser = Browser(base_url)
    browser.open_sign_in()
    return browser.sign_in(username, password)


def test_fifty_parallel_wrong_passwords_get_the_limit_and_no_more_until_an_admin_lifts_it(
    live_server, admin_client, superuser
):
    limit = settings.AXES_FAILURE_LIMIT
    UserFactory(username="lead")
    # Django's test server queues 10 connections; 50 at once would be turned away by the
    # kernel before Django saw them. A real server (gunicorn) queues 2048.
    live_server.thread.httpd.socket.listen(128)
    browsers = [Browser(live_server.url) for _ in range(50)]
    for browser in browsers:
        browser.open_sign_in()
    start_together = threading.Barrier(len(browsers))

    def guess(browser: Browser) -> Answer:
        start_together.wait(timeout=60)
        return browser.sign_in("lead", "not the password")

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        answers = list(pool.map(guess, browsers))

    # Only a try whose password was checked is answered "wrong credentials"; every other
    # try was refused unchecked with the lock-out page.
    checked = [answer for answer in answers if answer.status == 200]
    refused = [answer for answer in answers if answer.status == 429]
    assert limit == 5
    assert len(checked) == limit
    assert len(refused) == 50 - limit
    assert all(WRONG_CREDENTIALS in answer.body for answer in checked)
    assert all(LOCKED_OUT in answer.body for answer in refused)
    assert AccessFailureLog.objects.filter(username="lead").count() == limit
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("lead", limit)
    ]

    locked = sign_in_once(live_server.url, "lead", PASSWORD)
    assert locked.status == 429
    assert LOCKED_OUT in locked.body
    assert "Try again in 30 minutes" in locked.body

    changelist = admin_client.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200
    assert "lead" in changelist.text
    assert "Locked Out" in changelist.text

    attempt = AccessAttempt.objects.get()
    lifted = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "lift_lockout", "_selected_action": [attempt.pk]},
    )
    assert lifted.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.LOCKOUT_LIFTED)
    assert (event.actor_username, event.target, event.detail) == (
        superuser.username,
        "lead",
        {"failures": limit, "locked_out": True},
    )

    signed_in = sign_in_once(live_server.url, "lead", PASSWORD)
    assert (signed_in.status, signed_in.url) == (200, f"{live_server.url}/")


@pytest.mark.django_db
def test_the_try_that_reaches_the_limit_is_answered_and_the_next_is_refused(client):
    UserFactory(username="rita")

    answers = [
        client.post("/login/", {"username": "rita", "password": "nope"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]

    assert answers == [200, 200, 200, 200, 200, 429]


@pytest.mark.django_db
def test_the_lockout_page_says_how_long_and_who_can_help(client, time_machine):
    UserFactory(username="rita")
    time_machine.move_to("2026-03-02 10:00:00Z", tick=False)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "rita", "password": "nope"})
    time_machine.move_to("2026-03-02 10:12:30Z", tick=False)

    response = client.post("/login/", {"username": "rita", "password": PASSWORD})

    assert response.status_code == 429
    assert response["Retry-After"] == str(17 * 60 + 30)
    assert "Sign-in paused" in response.text
    assert (
        "Too many wrong passwords were tried for this account, so signing in to it is "
        "paused. Try again in 18 minutes, or ask an administrator to lift the lock-out."
    ) in response.text


@pytest.mark.django_db
def test_the_lockout_ends_by_itself_after_the_cool_off(client, time_machine):
    UserFactory(username="rita")
    time_machine.move_to("2026-03-02 10:00:00Z", tick=False)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "rita", "password": "nope"})
    time_machine.move_to("2026-03-02 10:30:01Z", tick=False)

    response = client.post("/login/", {"username": "rita", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_the_lockout_counts_per_account_not_per_address(client):
    UserFactory(username="rita")
    UserFactory(username="ravi")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "rita", "password": "nope"}, REMOTE_ADDR="10.0.0.1")

    from_elsewhere = client.post(
        "/login/", {"username": "rita", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    colleague = client.post(
        "/login/", {"username": "ravi", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )

    assert from_elsewhere.status_code == 429
    assert colleague.status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_is_locked_out_too(client):
    UserFactory(username="sam", is_staff=True)

    answers = [
        client.post("/admin/login/", {"username": "sam", "password": "nope"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    refused = client.post("/admin/login/", {"username": "sam", "password": PASSWORD})

    assert answers == [200] * settings.AXES_FAILURE_LIMIT
    assert refused.status_code == 429
    assert LOCKED_OUT in refused.text


@pytest.mark.django_db
def test_deleting_the_record_in_the_admin_lifts_the_lockout_and_is_audited(
    client, admin_client, superuser
):
    UserFactory(username="rita")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "rita", "password": "nope"})
    attempt = AccessAttempt.objects.get(username="rita")

    deleted = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    signed_in = client.post("/login/", {"username": "rita", "password": PASSWORD})

    assert deleted.status_code == 302
    assert signed_in.status_code == 302
    assert list(
        AuditEvent.objects.filter(action=AuditAction.LOCKOUT_LIFTED).values_list(
            "actor_username", "target"
        )
    ) == [(superuser.username, "rita")]


@pytest.mark.django_db
def test_a_sign_in_without_a_request_still_works(client):
    UserFactory(username="rita")

    assert client.login(username="rita", password=PASSWORD) is True


@pytest.mark.django_db
def test_the_api_accepts_a_session_from_the_sign_in_page_and_a_token(client, api_client):
    rita = UserFactory(username="rita")
    client.post("/login/", {"username": "rita", "password": PASSWORD})
    _, key = api_token_create(user=rita, name="export")

    by_session = client.get("/api/v1/studies/")
    by_token = api_client.get("/api/v1/studies/", HTTP_AUTHORIZATION=f"Token {key}")

    assert (by_session.status_code, by_token.status_code) == (200, 200)
    assert by_session.json()["count"] == by_token.json()["count"] == 0
