"""The Content-Security-Policy header: only our own code runs, on every kind of page."""

import pytest

from tests.factories import UserFactory

REQUIRED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/healthz", "/admin/login/"])
def test_every_public_page_carries_the_policy(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == REQUIRED


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/today/", "/calendar/", "/sw.js", "/api/docs/", "/admin/"])
def test_every_signed_in_page_carries_the_policy(client, path):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(path)

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == REQUIRED


@pytest.mark.django_db
def test_error_pages_carry_it_too(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert directives(response["Content-Security-Policy"]) == REQUIRED


@pytest.mark.django_db
def test_swagger_ui_starts_from_a_script_file_not_inline_code(client):
    client.force_login(UserFactory())

    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert page.status_code == script.status_code == 200
    assert '<script src="/api/docs/?script="></script>' in page.text
    assert "<script>" not in page.text
    assert "<style>" not in page.text
    assert script["Content-Type"] == "application/javascript"
    assert "SwaggerUIBundle" in script.text
