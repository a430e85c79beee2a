"""Household contacts (name, address, phone, e-mail) reach research roles only.

The matrix says who may open the household endpoints; this says what they see there.
"""

import pytest
from django.test import Client

from studies.common.roles import Capability, role_can
from tests.access.matrix import ROLE_OF
from tests.access.world import World

PERSONAS = ["admin", "lead", "researcher", "product", "marketing"]


def _contacts(client: Client, world: World) -> tuple[list, object]:
    listed = client.get("/api/v1/households/").json()["results"]
    household = world.own.households[0]
    detail = client.get(f"/api/v1/households/{household.pk}/").json()
    return [row["contact"] for row in listed], detail["contact"]


@pytest.mark.parametrize("role", PERSONAS)
def test_household_contacts_only_reach_roles_that_view_personal_data(
    role: str, world: World, db
) -> None:
    client = Client()
    client.force_login(world.user(role))
    contact = world.own.households[0].contact

    listed, detail = _contacts(client, world)

    assert listed, "the user's own study's households are listed"
    if role_can(ROLE_OF[role], Capability.VIEW_PERSONAL_DATA):
        assert all(row is not None for row in listed)
        assert detail["name"] == contact.name
        assert detail["email"] == contact.email
    else:
        assert listed == [None] * len(listed)
        assert detail is None


@pytest.mark.parametrize("role", ["product", "marketing"])
def test_pages_show_product_and_marketing_no_contact(role: str, world: World, db) -> None:
    client = Client()
    client.force_login(world.user(role))
    contact = world.own.households[0].contact
    pages = [
        f"/studies/{world.own.study.pk}/",
        f"/studies/{world.own.study.pk}/households/{world.own.households[0].pk}/",
        f"/visits/{world.own.visit.pk}/",
        f"/insights/{world.own.insight.pk}/",
        f"/api/v1/visits/{world.own.visit.pk}/",
        f"/api/v1/insights/{world.own.insight.pk}/",
    ]

    bodies = {url: client.get(url) for url in pages}

    assert {url: response.status_code for url, response in bodies.items()} == dict.fromkeys(
        pages, 200
    )
    for url, response in bodies.items():
        text = response.content.decode()
        for value in (contact.name, contact.phone, contact.email):
            assert value not in text, f"{value!r} is on {url} for {role}"
