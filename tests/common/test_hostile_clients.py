"""What a hostile client tried from outside and must not get: deep JSON, forged addresses,
formulas in exports, raw media, and the cost of a sign-in."""

import csv
import importlib
import io
import json

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import RequestFactory
from django.urls import clear_url_caches
from rest_framework.throttling import SimpleRateThrottle

from studies.common.audit import audit_record
from studies.common.client import client_address
from studies.common.models import AuditAction, AuditEvent, User
from studies.common.spreadsheets import csv_lines
from studies.scheduling.models import Household
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/sync/"


# --- JSON nesting --------------------------------------------------------------------------


def test_a_body_nested_ten_thousand_deep_is_a_400_in_the_error_shape(client_for, team):
    body = '{"operations":' + "[" * 20_000 + "]" * 20_000 + "}"

    response = client_for(team.researcher).post(SYNC, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"detail": ["The JSON body nests more than 32 levels deep."]}
    }


def test_a_body_just_past_the_depth_bound_is_refused_too(client_for, team):
    # Shallow enough for the decoder, deeper than any request of ours.
    body = '{"operations":' + "[" * 32 + "]" * 32 + "}"

    response = client_for(team.researcher).post(SYNC, body, content_type="application/json")

    assert response.status_code == 400
    assert "32 levels" in response.json()["errors"]["detail"][0]


def test_a_body_within_the_bound_is_read_as_usual(client_for, team):
    response = client_for(team.researcher).post(
        SYNC, json.dumps({"operations": []}), content_type="application/json"
    )

    assert response.status_code != 400 or "levels" not in response.text


# --- The client address --------------------------------------------------------------------


def _request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_the_forwarded_header_is_ignored(settings):
    settings.RESEARCHHUB_TRUSTED_PROXIES = 0

    assert client_address(_request("203.0.113.7", "10.0.0.1")) == "203.0.113.7"


def test_behind_one_proxy_it_is_the_address_that_proxy_saw(settings):
    settings.RESEARCHHUB_TRUSTED_PROXIES = 1
    # The client wrote "1.2.3.4"; the proxy appended the address it really came from.
    request = _request("10.0.0.2", "1.2.3.4, 198.51.100.9")

    assert client_address(request) == "198.51.100.9"


def test_behind_two_proxies_it_is_the_rightmost_address_they_did_not_write(settings):
    settings.RESEARCHHUB_TRUSTED_PROXIES = 2
    request = _request("10.0.0.3", "1.2.3.4, 198.51.100.9, 10.0.0.2")

    assert client_address(request) == "198.51.100.9"


def test_a_chain_shorter_than_the_proxies_gives_its_first_hop(settings):
    settings.RESEARCHHUB_TRUSTED_PROXIES = 2

    assert client_address(_request("10.0.0.3", "198.51.100.9")) == "198.51.100.9"


def test_a_forwarded_value_that_is_not_an_address_falls_back_to_the_peer(settings):
    settings.RESEARCHHUB_TRUSTED_PROXIES = 1

    assert client_address(_request("10.0.0.2", "<script>")) == "10.0.0.2"


@pytest.fixture
def low_anonymous_rate(monkeypatch):
    # The throttle classes copy the rates when first imported: the copy is what is lowered.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"user": "50/minute", "anon": "2/minute"}
    )


def test_rotating_the_forwarded_header_does_not_escape_the_anonymous_rate(
    api_client, low_anonymous_rate, settings
):
    settings.RESEARCHHUB_TRUSTED_PROXIES = 0

    answers = [
        api_client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(6)
    ]

    assert answers == [200, 200, 429, 429, 429, 429]


def test_behind_a_proxy_each_real_client_is_counted_apart(api_client, low_anonymous_rate, settings):
    settings.RESEARCHHUB_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    first = [
        api_client.get("/api/schema/", HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code
        for _ in range(3)
    ]
    # A forged left-most entry does not make the same client someone else.
    forged = api_client.get(
        "/api/schema/", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.1", **proxy
    ).status_code
    other = api_client.get("/api/schema/", HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy)

    assert first == [200, 200, 429]
    assert forged == 429
    assert other.status_code == 200


def test_the_audit_log_records_the_same_address(settings):
    settings.RESEARCHHUB_TRUSTED_PROXIES = 1
    request = _request("10.0.0.2", "6.6.6.6, 198.51.100.9")

    event = audit_record(actor=None, action=AuditAction.AUDIT_EXPORTED, request=request)

    assert event.ip_address == "198.51.100.9"


def test_the_sign_in_lock_out_uses_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.RESEARCHHUB_TRUSTED_PROXIES = 0

    assert get_client_ip_address(_request("203.0.113.7", "10.9.9.9")) == "203.0.113.7"


# --- Spreadsheet formulas ------------------------------------------------------------------


def test_every_csv_cell_that_starts_a_formula_is_written_as_text():
    lines = list(csv_lines([["=1+1", "+SUM(A1)", "-2", "@cmd", "H-001", None, 3]]))

    assert list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff")))) == [
        ["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "H-001", "", "3"]
    ]


def test_the_audit_log_export_neutralises_formulas(admin_client):
    actor = UserFactory(username='=HYPERLINK("http://x")')
    audit_record(actor=actor, action=AuditAction.CONSENT_GIVEN, target="=1+1")

    exported = admin_client.post(
        "/admin/common/auditevent/",
        {
            "action": "export_csv",
            "_selected_action": list(AuditEvent.objects.values_list("pk", flat=True)),
        },
    )

    text = b"".join(exported.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][4] == "'=1+1"


@pytest.mark.parametrize("code", ["=1+1", "<script>", "-H1", "H 001", "H/001", "Ĥ-001"])
def test_a_household_code_outside_the_pattern_is_refused(client_for, team, code):
    response = client_for(team.lead).post(
        "/api/v1/households/", {"study": str(team.study.pk), "code": code, "name": "Ann"}
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["code"]
    assert not Household.objects.filter(code=code).exists()


@pytest.mark.parametrize("code", ["H-001", "north_7", "2026.Q1-04"])
def test_a_household_code_inside_the_pattern_is_taken(client_for, team, code):
    response = client_for(team.lead).post(
        "/api/v1/households/", {"study": str(team.study.pk), "code": code, "name": "Ann"}
    )

    assert response.status_code == 201


# --- Media ---------------------------------------------------------------------------------


@pytest.fixture
def debug_urls(settings, tmp_path):
    """The URLconf as `make run` builds it: DEBUG on."""
    import researchhub.urls

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True
    importlib.reload(researchhub.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(researchhub.urls)
    clear_url_caches()


def test_media_files_are_never_served_as_they_are_even_in_the_demo(client, settings, debug_urls):
    folder = settings.MEDIA_ROOT / "photo-uploads" / "partial" / "abc"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "000000000000").write_bytes(b"raw bytes with their GPS")

    response = client.get("/media/photo-uploads/partial/abc/000000000000")

    assert response.status_code == 404
    assert b"GPS" not in response.content


# --- Sign-in cost --------------------------------------------------------------------------


PASSWORD = "a long and honest passphrase"


def test_passwords_are_stored_with_argon2id_and_older_hashes_upgraded_at_sign_in(client, settings):
    settings.PASSWORD_HASHERS = [
        "studies.accounts.hashers.SignInArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = UserFactory(username="rita")
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

    User.objects.filter(pk=user.pk).update(
        password=make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    )

    response = client.post("/login/", {"username": "rita", "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
