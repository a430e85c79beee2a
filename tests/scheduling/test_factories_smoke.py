from tests.factories import HouseholdContactFactory, HouseholdFactory


def test_household_factory_gives_each_household_one_contact(db):
    household = HouseholdFactory()
    contact = HouseholdContactFactory()

    assert household.contact.name
    assert contact.household.contact == contact


def test_team_fixture_gives_each_persona_a_role(team):
    roles = dict(team.study.memberships.values_list("user__username", "role"))

    assert roles == {
        "lead": "research_lead",
        "researcher": "researcher",
        "researcher2": "researcher",
        "product": "product",
        "marketing": "marketing",
        "sales": "sales",
    }
