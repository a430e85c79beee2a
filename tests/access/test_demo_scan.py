"""No household contact detail reaches product or marketing, anywhere, in the demo workspace.

Signed in as the demo's product designer (paula) and marketer (mark), a crawler reads
every GET endpoint and page it can reach from the lists and the home page (following ids in
JSON answers, links in pages and pagination), plus the quote exports, the offline bundle,
the calendar feed and searches for words of the data, and looks for every name, address
line, phone number and e-mail address of every household in every answer. The same crawl
as the research lead must find them, or the scan proves nothing.
"""

import html
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from studies.common.models import User
from studies.demo.seed import demo_seed
from studies.fieldwork.models import Observation
from studies.scheduling.models import HouseholdContact
from studies.synthesis.models import CardEvent, Insight
from studies.synthesis.services.webhooks.payloads import event_payload

# Where the crawl starts; the rest it finds.
START = [
    "/",
    "/today/",
    "/calendar/",
    "/quotes/",
    "/search/",
    "/boards/product/",
    "/boards/marketing/",
    "/account/tokens/",
    "/api/v1/studies/",
    "/api/v1/households/",
    "/api/v1/rounds/",
    "/api/v1/visits/",
    "/api/v1/insights/",
    "/api/v1/boards/",
    "/api/v1/quotes/",
    "/api/v1/quotes/export.csv",
    "/api/v1/quotes/export.md",
    "/api/v1/me/offline-bundle/",
    "/api/v1/me/offline-bundle/?days=7",
    "/api/v1/me/calendar-feed/",
    "/api/v1/me/availability/",
    "/api/v1/me/tokens/",
]
# What an id found under a key of an answer from an API path leads to. The key is the
# one holding the id ("id" inside a list of studies, or "study" naming one elsewhere).
FOLLOW = {
    "studies": [
        "/api/v1/studies/{id}/",
        "/api/v1/studies/{id}/members/",
        "/api/v1/studies/{id}/tags/",
        "/api/v1/studies/{id}/tag-counts/",
        "/api/v1/studies/{id}/observations/browse/",
        "/studies/{id}/",
        "/studies/{id}/insights/",
        "/studies/{id}/tags/",
        "/studies/{id}/synthesis/",
    ],
    "households": ["/api/v1/households/{id}/", "/api/v1/households/{id}/consents/"],
    "rounds": ["/api/v1/rounds/{id}/", "/rounds/{id}/"],
    "visits": [
        "/api/v1/visits/{id}/",
        "/api/v1/visits/{id}/observations/",
        "/api/v1/visits/{id}/photos/",
        "/visits/{id}/",
    ],
    "insights": [
        "/api/v1/insights/{id}/",
        "/api/v1/insights/{id}/comments/",
        "/insights/{id}/",
    ],
    "photos": ["/api/v1/photos/{id}/"],
    "boards": ["/api/v1/boards/{id}/cards/"],
}
# Keys naming an object elsewhere in an answer, and the kind of object they name.
REFERENCE_KEYS = {
    "study": "studies",
    "household": "households",
    "round": "rounds",
    "visit": "visits",
    "insight": "insights",
    "photo": "photos",
}
# Never followed: leaving the session, the admin, files that are not text.
SKIP = re.compile(r"^/(logout/|admin/|static/|photos/|media/|sw\.js|manifest)")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HREF = re.compile(r"""href=["']([^"'#]+)""")
# Enough to see every object of the demo, not every filter combination of every page.
MAX_URLS = 700
MAX_PER_PATH = 3


@dataclass
class Crawl:
    bodies: dict[str, str] = field(default_factory=dict)  # url → text, for 200 answers
    statuses: dict[str, int] = field(default_factory=dict)

    def leaks(self, secrets: set[str]) -> list[tuple[str, str]]:
        found = []
        for url, text in self.bodies.items():
            folded = text.casefold()
            found += [(url, secret) for secret in secrets if secret.casefold() in folded]
        return found


def _ids_in(data: object, kind: str | None) -> Iterator[tuple[str, str]]:
    """(kind, id) for each object id in an answer: `id` keys take the list's kind."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "id" and kind and isinstance(value, str) and UUID.match(value):
                yield kind, value
            elif key in REFERENCE_KEYS and isinstance(value, str) and UUID.match(value):
                yield REFERENCE_KEYS[key], value
            elif key in REFERENCE_KEYS and isinstance(value, dict):
                yield from _ids_in(value, REFERENCE_KEYS[key])
            elif key in ("visits", "photos", "households", "rounds", "insights"):
                yield from _ids_in(value, key)
            else:
                yield from _ids_in(value, kind if key in ("results", "items") else None)
    elif isinstance(data, list):
        for item in data:
            yield from _ids_in(item, kind)


def _kind_of(path: str) -> str | None:
    parts = [part for part in path.split("/") if part]
    if len(parts) >= 3 and parts[:2] == ["api", "v1"]:
        if parts[-1] in FOLLOW:
            return parts[-1]
        if len(parts) >= 4 and parts[2] in FOLLOW and not UUID.match(parts[-1]):
            return None
        return parts[2] if parts[2] in FOLLOW else None
    return None


def _local(url: str) -> str | None:
    site = urlsplit(settings.RESEARCHHUB_SITE_URL)
    parts = urlsplit(html.unescape(url))
    if parts.netloc and parts.netloc not in (site.netloc, "testserver"):
        return None
    if not parts.path.startswith("/") or SKIP.match(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def crawl(user: User, searches: list[str]) -> Crawl:
    client = Client()
    client.force_login(user)
    chosen = START + [f"/api/v1/search/?q={word}" for word in searches]
    chosen += [f"/search/?q={word}" for word in searches]
    queue = deque(chosen)
    seen: set[str] = set()
    per_path: dict[str, int] = {}
    result = Crawl()
    while queue and len(seen) < MAX_URLS:
        url = queue.popleft()
        path = url.split("?")[0]
        if url in seen or (url not in chosen and per_path.get(path, 0) >= MAX_PER_PATH):
            continue
        seen.add(url)
        per_path[path] = per_path.get(path, 0) + 1
        response = client.get(url)
        result.statuses[url] = response.status_code
        if response.status_code != 200:
            continue
        text = _text(response)
        result.bodies[url] = text
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/json"):
            data = json.loads(text)
            for kind, object_id in _ids_in(data, _kind_of(path)):
                queue += [template.format(id=object_id) for template in FOLLOW[kind]]
            for value in _strings(data):
                if value.startswith(("/", "http")) and (local := _local(value)):
                    queue.append(local)
            if path == "/api/v1/me/calendar-feed/" and (feed := _local(data["url"])):
                queue.append(feed)
        elif content_type.startswith("text/html"):
            queue += [local for href in HREF.findall(text) if (local := _local(href))]
    return result


def _strings(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)


def contact_values() -> set[str]:
    """Every name, address line, phone number and e-mail address of every household."""
    values: set[str] = set()
    for contact in HouseholdContact.objects.all():
        values |= {contact.name, contact.phone, contact.email}
        values |= {line.strip(" ,") for line in re.split(r"[\n,]", contact.address)}
    return {value.strip() for value in values if len(value.strip()) >= 4}


def escaped(values: set[str]) -> set[str]:
    """Each value as it would appear in a page too (an apostrophe as &#x27;)."""
    return values | {html.escape(value) for value in values}


def search_words() -> list[str]:
    """A word from every eighth of the first observations, and three households' surnames
    (which must find nothing that shows them)."""
    texts = Observation.objects.order_by("captured_at", "pk").values_list("text", flat=True)
    words = [found[0] for text in texts[:40:8] if (found := re.findall(r"[A-Za-z]{6,}", text))]
    names = HouseholdContact.objects.order_by("pk").values_list("name", flat=True)[:3]
    return words + [name.split()[-1] for name in names]


@dataclass
class Demo:
    users: dict[str, User]
    secrets: set[str]
    searches: list[str]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Demo]:
    """The demo workspace, loaded once for this module, rolled back after it."""
    media = tmp_path_factory.mktemp("demo-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        demo_seed(log=lambda line: None)
        yield Demo(
            users={user.username: user for user in User.objects.all()},
            secrets=contact_values(),
            searches=search_words(),
        )
        transaction.set_rollback(True)


@pytest.mark.parametrize("username", ["paula", "mark"])
def test_product_and_marketing_never_see_a_household_contact(demo: Demo, username, db) -> None:
    assert len(demo.secrets) >= 30, "the demo's contacts should give plenty to look for"

    found = crawl(demo.users[username], demo.searches)

    assert len(found.bodies) >= 30, f"the crawl read only {sorted(found.bodies)}"
    assert any(
        "/api/v1/households/" in url and url != "/api/v1/households/" for url in found.bodies
    )
    assert any(url.startswith("/insights/") for url in found.bodies)
    assert any(url.startswith("/studies/") and "/households/" in url for url in found.bodies)
    assert any(url.startswith("/api/v1/quotes/export") for url in found.bodies)
    assert found.leaks(escaped(demo.secrets)) == []


def test_the_same_crawl_as_the_lead_finds_contacts(demo: Demo, db) -> None:
    found = crawl(demo.users["lead"], demo.searches)

    leaks = found.leaks(escaped(demo.secrets))

    assert any(url.startswith("/api/v1/households/") for url, _secret in leaks)
    assert {secret for _url, secret in leaks} >= {
        value for value in demo.secrets if "@" in value
    }, "every household's e-mail is on the lead's household API"


def test_webhook_payloads_carry_no_household_contact(demo: Demo, db) -> None:
    events = CardEvent.objects.select_related(
        "card__board", "card__insight__study", "actor"
    ).order_by("created_at", "pk")
    insights = Insight.objects.count()
    payloads = {}
    for event in events:
        if event.kind in (CardEvent.Kind.PLACED, CardEvent.Kind.MOVED, CardEvent.Kind.RESTORED):
            payloads.setdefault(event.card.insight_id, event_payload(event=event))

    text = json.dumps(list(payloads.values()), ensure_ascii=False).casefold()

    assert insights > 0
    assert len(payloads) == insights, "every demo insight is on a board and gets a payload"
    assert [secret for secret in demo.secrets if secret.casefold() in text] == []
