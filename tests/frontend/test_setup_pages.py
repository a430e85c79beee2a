"""The set-up pages through the Django test client: starting a study, its settings,
closing and reopening it, and the discussion-guide editor, with what each refuses."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from studies.common.roles import Role
from studies.scheduling.models import NextGuideQuestion, Study, StudyMembership, StudyStatus
from studies.scheduling.services.guides import next_guide_replace
from studies.scheduling.services.rounds import GuideItem
from studies.scheduling.services.studies import study_close
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "title": "Food at home",
    "why": "How do families store food?",
    "cadence": "quarterly",
    "time_zone": "Europe/London",
    "planning_lead_days": "21",
    "visit_minutes": "90",
    "travel_minutes": "30",
    "workday_start": "09:00",
    "workday_end": "18:00",
}


def questions(*texts: str, order: list[int] | None = None) -> dict[str, str]:
    fields = {}
    for index, text in enumerate(texts):
        fields[f"questions-{index}-text"] = text
        fields[f"questions-{index}-order"] = str((order or list(range(1, len(texts) + 1)))[index])
    return fields


def url(name: str, study: Study | None = None) -> str:
    return reverse(f"frontend:{name}", args=[study.pk] if study else [])


@pytest.fixture
def new_lead(db):
    """Someone an administrator made a research lead, with no study yet."""
    user = UserFactory(username="nadia")
    user.groups.add(Group.objects.get(name="Research leads"))
    return user


# --- Starting a study ------------------------------------------------------------------


def test_a_new_lead_is_invited_to_start_a_study_on_an_empty_home(client, new_lead):
    client.force_login(new_lead)

    page = client.get(reverse("frontend:home")).content.decode()

    assert "You have no study yet. Start one?" in page
    assert url("study-new") in page


def test_a_researcher_is_not_offered_to_start_one(client, team):
    client.force_login(team.researcher)

    assert url("study-new") not in client.get(reverse("frontend:home")).content.decode()
    assert client.get(url("study-new")).status_code == 403
    assert client.post(url("study-new"), VALID).status_code == 403
    assert Study.objects.count() == 2


def test_a_new_lead_starts_a_study_with_ordered_questions(client, new_lead):
    client.force_login(new_lead)
    assert client.get(url("study-new")).status_code == 200

    response = client.post(
        url("study-new"),
        {**VALID, **questions("Second", "First", "", order=[2, 1, 3])},
    )

    study = Study.objects.get(title="Food at home")
    assert response.status_code == 302
    assert response["Location"] == url("study", study)
    assert list(study.questions.values_list("text", flat=True)) == ["First", "Second"]
    assert (study.status, study.time_zone, study.cadence) == ("draft", "Europe/London", "quarterly")
    assert StudyMembership.objects.get(study=study).user == new_lead


def test_a_removed_question_is_left_out(client, new_lead):
    client.force_login(new_lead)

    client.post(
        url("study-new"), {**VALID, **questions("Keep", "Drop"), "questions-1-remove": "on"}
    )

    assert list(Study.objects.get().questions.values_list("text", flat=True)) == ["Keep"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("visit_minutes", "5", "Ensure this value is greater than or equal to 15."),
        ("planning_lead_days", "400", "Ensure this value is less than or equal to 180."),
        ("travel_minutes", "-3", "Ensure this value is greater than or equal to 0."),
        ("time_zone", "Mars/Olympus", "Mars/Olympus"),
        ("workday_end", "08:00", "The working day must end after it starts."),
        ("title", "", "This field is required."),
        ("cadence", "weekly", "Select a valid choice."),
    ],
)
def test_out_of_range_values_are_refused_next_to_their_field(
    client, new_lead, field, value, message
):
    client.force_login(new_lead)

    response = client.post(url("study-new"), {**VALID, field: value})

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert f'id="id_{field}"' in page
    assert "Nothing was saved" in page
    assert not Study.objects.exists()


def test_spare_rows_left_blank_are_ignored(client, new_lead):
    client.force_login(new_lead)

    client.post(url("study-new"), {**VALID, **questions("Fine", "  ", "Also fine")})

    assert list(Study.objects.get().questions.values_list("text", flat=True)) == [
        "Fine",
        "Also fine",
    ]


def test_a_listed_question_left_empty_is_named(client, new_lead):
    client.force_login(new_lead)

    response = client.post(
        url("study-new"),
        {**VALID, **questions("Fine", ""), "questions-1-listed": "1"},
    )

    assert response.status_code == 400
    assert "Research question 2 is empty: write it or remove it." in response.content.decode()
    assert not Study.objects.exists()


# --- Settings --------------------------------------------------------------------------


def test_the_lead_changes_settings(client, team):
    client.force_login(team.lead)
    assert client.get(url("study-settings", team.study)).status_code == 200

    response = client.post(
        url("study-settings", team.study), {**VALID, "visit_minutes": "60", **questions("Q?")}
    )

    team.study.refresh_from_db()
    assert response.status_code == 302
    assert (team.study.visit_minutes, team.study.title) == (60, "Food at home")
    assert list(team.study.questions.values_list("text", flat=True)) == ["Q?"]


def test_an_out_of_range_setting_changes_nothing(client, team):
    client.force_login(team.lead)

    response = client.post(url("study-settings", team.study), {**VALID, "visit_minutes": "1000"})

    team.study.refresh_from_db()
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 480." in response.content.decode()
    assert team.study.visit_minutes == 90


@pytest.mark.parametrize("name", ["study-settings", "study-close", "study-guide"])
def test_outsiders_get_404_and_anonymous_the_sign_in_page(client, team, name):
    assert client.get(url(name, team.study)).status_code == 302
    client.force_login(team.outsider)
    assert client.get(url(name, team.study)).status_code == 404
    assert client.post(url(name, team.study), VALID).status_code == 404


@pytest.mark.parametrize("name", ["study-settings", "study-close", "study-reopen"])
def test_members_who_do_not_lead_get_403(client, team, name):
    client.force_login(team.researcher)

    assert client.post(url(name, team.study), VALID).status_code == 403
    team.study.refresh_from_db()
    assert (team.study.status, team.study.title) == ("active", team.study.title)


# --- Closing and reopening ------------------------------------------------------------------


def test_the_lead_closes_and_the_pages_become_read_only(client, team):
    client.force_login(team.lead)
    confirm = client.get(url("study-close", team.study)).content.decode()
    assert "Planning stops" in confirm

    response = client.post(url("study-close", team.study))

    assert response.status_code == 302
    assert Study.objects.get(pk=team.study.pk).status == StudyStatus.CLOSED
    for name in ("study", "study-settings", "study-guide"):
        page = client.get(url(name, team.study)).content.decode()
        assert "This study is closed." in page
        assert "Reopen the study" in page
        assert "Plan next round now" not in page
        assert "Save" not in page


def test_a_closed_study_refuses_settings_with_409(client, team):
    study_close(study=team.study)
    client.force_login(team.lead)

    response = client.post(url("study-settings", team.study), VALID)

    assert response.status_code == 409
    assert "is closed" in response.content.decode()
    assert Study.objects.get(pk=team.study.pk).title != "Food at home"


def test_the_lead_reopens_a_closed_study(client, team):
    study_close(study=team.study)
    client.force_login(team.lead)

    response = client.post(url("study-reopen", team.study))

    assert response.status_code == 302
    # No rounds yet: a draft again, active once its first round is planned.
    assert Study.objects.get(pk=team.study.pk).status == StudyStatus.DRAFT


def test_a_draft_study_says_how_it_becomes_active(client, team):
    Study.objects.filter(pk=team.study.pk).update(status=StudyStatus.DRAFT)
    client.force_login(team.lead)

    page = client.get(url("study", team.study)).content.decode()

    assert "This study is a draft until its first round is planned" in page


# --- The guide ---------------------------------------------------------------------------


def guide_rows(*rows: tuple[str, str, str]) -> dict[str, str]:
    """(key, section, text) per row, in order."""
    fields = {}
    for index, (key, section, text) in enumerate(rows):
        fields |= {
            f"guide-{index}-key": key,
            f"guide-{index}-section": section,
            f"guide-{index}-text": text,
            f"guide-{index}-order": str(index + 1),
        }
    return fields


def test_the_lead_writes_a_guide_with_sections(client, team):
    client.force_login(team.lead)
    assert client.get(url("study-guide", team.study)).status_code == 200

    response = client.post(
        url("study-guide", team.study),
        guide_rows(("", "Kitchen", "Show me the fridge"), ("", "Kitchen", "Bins?"), ("", "", "")),
    )

    assert response.status_code == 302
    guide = team.study.next_guide.order_by("position").values_list("section", "text")
    assert list(guide) == [("Kitchen", "Show me the fridge"), ("Kitchen", "Bins?")]


def test_an_emptied_question_is_named_and_nothing_saved(client, team):
    first, second = next_guide_replace(
        study=team.study, items=[GuideItem("One?"), GuideItem("Two?")]
    )
    client.force_login(team.lead)

    response = client.post(
        url("study-guide", team.study),
        guide_rows((str(first.key), "", "One?"), (str(second.key), "", "   ")),
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Question 2 is empty: write it or remove it." in page
    assert list(NextGuideQuestion.objects.order_by("position").values_list("text", flat=True)) == [
        "One?",
        "Two?",
    ]


def test_a_tampered_key_is_refused(client, team):
    client.force_login(team.lead)

    response = client.post(url("study-guide", team.study), guide_rows(("nonsense", "", "Q?")))

    assert response.status_code == 400
    assert "Question 1 is not one of this study&#x27;s." in response.content.decode()
    assert not NextGuideQuestion.objects.exists()


def test_members_read_the_guide_by_section_without_a_form(client, team):
    next_guide_replace(
        study=team.study,
        items=[GuideItem("Fridge?", section="Kitchen"), GuideItem("Bins?", section="Kitchen")],
    )
    client.force_login(team.product)

    response = client.get(url("study-guide", team.study))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Kitchen") == 1
    assert "Fridge?" in page
    assert "<textarea" not in page
    assert client.post(url("study-guide", team.study), guide_rows(("", "", "x"))).status_code == 403


def test_the_round_page_shows_the_guide_by_section(client, world):
    from studies.scheduling import services

    services.guide_replace(
        round_=world.current_round,
        questions=[
            GuideItem("Walk me through a week.", section="Warm-up"),
            GuideItem("Show me your fridge.", section="Kitchen"),
            GuideItem("What goes in the bin?", section="Kitchen"),
        ],
    )
    client.force_login(world.team.researcher)

    page = client.get(reverse("frontend:round", args=[world.current_round.pk])).content.decode()

    assert '<h3 class="guide-section-heading">Warm-up</h3>' in page
    assert page.count('<h3 class="guide-section-heading">Kitchen</h3>') == 1
    assert '<ol class="guide" start="2">' in page


def test_new_leads_of_the_group_and_members_see_the_right_buttons(client, team):
    team_lead = StudyMembership.objects.get(study=team.study, role=Role.RESEARCH_LEAD).user
    client.force_login(team_lead)

    page = client.get(url("study", team.study)).content.decode()

    assert url("study-settings", team.study) in page
    assert url("study-guide", team.study) in page
    client.force_login(team.product)
    page = client.get(url("study", team.study)).content.decode()
    assert url("study-settings", team.study) not in page
    assert url("study-guide", team.study) in page


def test_a_nul_character_is_refused_not_a_500(client, team):
    client.force_login(team.lead)

    guide = client.post(url("study-guide", team.study), guide_rows(("", "", "Bad\x00text")))
    settings = client.post(url("study-settings", team.study), {**VALID, **questions("Bad\x00")})

    assert (guide.status_code, settings.status_code) == (400, 400)
    assert "holds a character that cannot be saved" in guide.content.decode()
    assert "holds a character that cannot be saved" in settings.content.decode()
    assert not NextGuideQuestion.objects.exists()


def test_the_guide_page_names_the_rounds_that_follow_it(client, team):
    from studies.scheduling import services
    from tests.factories import RoundFactory

    today = services.study_today(team.study)
    RoundFactory(
        study=team.study,
        label="2099-Q1",
        window_start=today + dt.timedelta(days=400),
        window_end=today + dt.timedelta(days=430),
    )
    client.force_login(team.lead)

    page = client.get(url("study-guide", team.study)).content.decode()

    assert "Round 2099-Q1 has not started yet and follows every change saved here." in page
