"""Pages that list things load them in a fixed number of queries, however many there are.

Every signed-in request starts with two: the session and the user.
"""

import datetime as dt

import pytest
from django.urls import reverse

from studies.scheduling import services
from tests.conftest import enrol_consenting
from tests.factories import MembershipFactory, RoundFactory, StudyFactory
from tests.frontend.conftest import World, local


@pytest.fixture(params=["small", "grown"])
def sized_world(request, world: World) -> World:
    """The world as it is, and with more of everything the list pages show."""
    if request.param == "grown":
        study = world.team.study
        households = enrol_consenting(study, 5, prefix="G")
        RoundFactory(study=study, label="EXTRA-1")
        day = world.visit.scheduled_start.date()
        for index, household in enumerate(households[:3]):
            start = local(day + dt.timedelta(days=index + 2), 9, study.time_zone)
            services.visit_create(
                round_=world.current_round,
                household=household,
                researcher=world.team.researcher,
                start=start,
                end=start + dt.timedelta(minutes=90),
                actor=world.team.lead,
            )
        for _ in range(3):
            MembershipFactory(study=StudyFactory(), user=world.team.researcher)
    return world


def test_home_takes_six_queries(client, sized_world, django_assert_num_queries):
    client.force_login(sized_world.team.researcher)

    # session, user, studies with role and next round (subqueries), upcoming visits
    # with their round, study and household, the menu (does the viewer conduct visits),
    # whether the viewer may start a study (a lead of a listed study is not asked)
    with django_assert_num_queries(6):
        response = client.get(reverse("frontend:home"))

    assert response.status_code == 200


@pytest.mark.parametrize(("persona", "queries"), [("lead", 10), ("product", 9)])
def test_the_study_page_takes_nine_queries_and_one_to_audit_personal_data(
    client, sized_world, persona, queries, django_assert_num_queries
):
    client.force_login(getattr(sized_world.team, persona))

    # session, user, study, role (access, kept on the study for the page), households
    # (with contacts for the research team), questions, team with users, rounds with
    # visit counts, the menu; for the research team, the audit entry of the contacts it was
    # shown
    with django_assert_num_queries(queries):
        response = client.get(reverse("frontend:study", args=[sized_world.team.study.pk]))

    assert response.status_code == 200


def test_the_round_page_takes_seven_queries(client, sized_world, django_assert_num_queries):
    client.force_login(sized_world.team.lead)

    # session, user, round with study, role (access, kept on the study for the page),
    # guide, visits with household and researcher, the menu
    with django_assert_num_queries(7):
        response = client.get(reverse("frontend:round", args=[sized_world.current_round.pk]))

    assert response.status_code == 200
