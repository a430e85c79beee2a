"""The access functions: outsiders get 404, members without the capability 403."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from studies.common.roles import Capability
from studies.scheduling import access
from tests.conftest import enrol_consenting
from tests.factories import RoundFactory, UserFactory, VisitFactory


@pytest.mark.parametrize("persona", ["lead", "researcher", "product", "marketing"])
def test_members_can_view_their_study(team, persona):
    user = getattr(team, persona)

    assert access.study_get_for_user(user=user, study_id=team.study.pk) == team.study


def test_outsiders_get_the_same_404_as_for_a_missing_study(team):
    with pytest.raises(Http404):
        access.study_get_for_user(user=team.outsider, study_id=team.study.pk)
    with pytest.raises(Http404):
        access.study_get_for_user(user=team.lead, study_id=uuid.uuid4())
    with pytest.raises(Http404):
        access.study_get_for_user(user=team.lead, study_id="not-a-uuid")


def test_anonymous_and_inactive_users_reach_nothing(team):
    team.lead.is_active = False
    team.lead.save()

    for user in (AnonymousUser(), team.lead):
        with pytest.raises(Http404):
            access.study_get_for_user(user=user, study_id=team.study.pk)
        assert list(access.studies_for_user(user)) == []


@pytest.mark.parametrize("persona", ["researcher", "product", "marketing"])
def test_only_leads_may_manage_a_study(team, persona):
    with pytest.raises(PermissionDenied):
        access.study_get_for_user(
            user=getattr(team, persona),
            study_id=team.study.pk,
            capability=Capability.MANAGE_STUDY,
        )

    assert access.study_get_for_user(
        user=team.lead, study_id=team.study.pk, capability=Capability.MANAGE_STUDY
    )


def test_superusers_act_as_leads_everywhere(team):
    admin = UserFactory(is_superuser=True, is_staff=True)

    assert access.study_get_for_user(
        user=admin, study_id=team.study.pk, capability=Capability.MANAGE_STUDY
    )
    assert set(access.studies_for_user(admin)) == {
        team.study,
        team.outsider.memberships.get().study,
    }


def test_studies_for_user_lists_only_their_studies(team):
    assert list(access.studies_for_user(team.product)) == [team.study]
    assert team.study not in access.studies_for_user(team.outsider)


def test_researchers_conduct_only_their_own_visits(team):
    visit = VisitFactory(round=RoundFactory(study=team.study), researcher=team.researcher)

    own = access.visit_get_for_user(
        user=team.researcher, visit_id=visit.pk, capability=Capability.CONDUCT_VISITS
    )
    as_lead = access.visit_get_for_user(
        user=team.lead, visit_id=visit.pk, capability=Capability.CONDUCT_VISITS
    )

    assert own == as_lead == visit
    with pytest.raises(PermissionDenied):
        access.visit_get_for_user(
            user=team.researcher2, visit_id=visit.pk, capability=Capability.CONDUCT_VISITS
        )
    with pytest.raises(PermissionDenied):
        access.visit_get_for_user(
            user=team.product, visit_id=visit.pk, capability=Capability.CONDUCT_VISITS
        )
    with pytest.raises(Http404):
        access.visit_get_for_user(user=team.outsider, visit_id=visit.pk)


def test_rounds_follow_their_study(team):
    round_ = RoundFactory(study=team.study)

    assert access.round_get_for_user(user=team.marketing, round_id=round_.pk) == round_
    with pytest.raises(Http404):
        access.round_get_for_user(user=team.outsider, round_id=round_.pk)


def test_households_are_reached_through_the_studies_they_are_enrolled_in(team):
    [household] = enrol_consenting(team.study, 1)

    assert access.household_get_for_user(user=team.product, household_id=household.pk)
    with pytest.raises(Http404):
        access.household_get_for_user(user=team.outsider, household_id=household.pk)
    with pytest.raises(PermissionDenied):
        access.household_get_for_user(
            user=team.product,
            household_id=household.pk,
            capability=Capability.VIEW_PERSONAL_DATA,
        )


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("lead", True),
        ("researcher", True),
        ("product", False),
        ("marketing", False),
        ("outsider", False),
    ],
)
def test_personal_data_is_for_research_roles_of_the_study(team, persona, allowed):
    assert access.can_view_personal_data(getattr(team, persona), team.study.pk) is allowed
