"""GET /api/v1/me/offline-bundle/: what the phone keeps to work without a signal."""

import datetime as dt

import pytest
import time_machine

from studies.scheduling.models import GuideQuestion, VisitStatus
from tests.conftest import enrol_consenting
from tests.factories import RoundFactory, TagFactory, VisitFactory
from tests.fieldwork.sync_support import signed_in

BUNDLE = "/api/v1/me/offline-bundle/"
# 12:00 UTC on 12 January is 01:00 on the 13th in Auckland (UTC+13 in summer): the
# researcher's "today" is the 13th though the server's is still the 12th.
NOW = dt.datetime(2027, 1, 12, 12, 0, tzinfo=dt.UTC)


def utc(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour, 0, tzinfo=dt.UTC)


@pytest.fixture
def week(team):
    """The researcher's visits around NOW, one of researcher2's, and the round's guide."""
    team.researcher.time_zone = "Pacific/Auckland"
    team.researcher.save()
    round_ = RoundFactory(study=team.study, label="2027-Q1")
    GuideQuestion.objects.create(round=round_, position=2, text="Who shops?")
    GuideQuestion.objects.create(round=round_, position=1, text="Where do leftovers go?")
    households = enrol_consenting(team.study, 6)
    TagFactory(study=team.study, name="Storage")

    def visit(index: int, start: dt.datetime, researcher=team.researcher, **fields):
        return VisitFactory(
            round=round_,
            household=households[index],
            researcher=researcher,
            scheduled_start=start,
            **fields,
        )

    return {
        "households": households,
        "yesterday": visit(0, utc(12, 9)),  # 22:00 on the 12th in Auckland
        "today": visit(1, utc(12, 20)),  # 09:00 on the 13th
        "third day": visit(2, utc(15, 9)),  # 22:00 on the 15th
        "fourth day": visit(3, utc(15, 12)),  # 01:00 on the 16th
        "still going": visit(4, utc(10, 9), status=VisitStatus.IN_PROGRESS, started_at=utc(10, 9)),
        "someone else's": visit(5, utc(12, 20), researcher=team.researcher2),
    }


def get_bundle(user, **params):
    with time_machine.travel(NOW, tick=False):
        return signed_in(user).get(BUNDLE, params)


def test_it_holds_my_visits_from_today_in_my_zone_for_three_days(team, week):
    response = get_bundle(team.researcher)

    assert response.status_code == 200
    body = response.json()
    assert (body["time_zone"], body["first_day"], body["last_day"]) == (
        "Pacific/Auckland",
        "2027-01-13",
        "2027-01-15",
    )
    assert [visit["id"] for visit in body["visits"]] == [
        str(week[name].pk) for name in ["still going", "today", "third day"]
    ]


def test_days_widens_the_window_up_to_a_week(team, week):
    body = get_bundle(team.researcher, days=4).json()

    assert str(week["fourth day"].pk) in [visit["id"] for visit in body["visits"]]
    assert (body["first_day"], body["last_day"]) == ("2027-01-13", "2027-01-16")


@pytest.mark.parametrize("days", ["0", "8", "soon", "-1"])
def test_a_bad_number_of_days_is_a_400(team, week, days):
    response = get_bundle(team.researcher, days=days)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["days"]


def test_a_visit_carries_code_segment_address_phone_and_guide_but_no_name_or_email(team, week):
    body = get_bundle(team.researcher).json()

    household = week["households"][1]
    guide = {question.position: question for question in week["today"].round.guide.all()}
    visit = next(v for v in body["visits"] if v["id"] == str(week["today"].pk))
    assert visit == {
        "id": str(week["today"].pk),
        "study": str(team.study.pk),
        "time_zone": "Europe/London",
        "round": str(week["today"].round_id),
        "round_label": "2027-Q1",
        "household": {
            "id": str(household.pk),
            "code": household.code,
            "segment": {"household size": "4", "region": "north"},
            "address": household.contact.address,
            "phone": household.contact.phone,
        },
        "scheduled_start": "2027-01-12T20:00:00Z",
        "scheduled_end": "2027-01-12T21:30:00Z",
        "status": "scheduled",
        "started_at": None,
        "finished_at": None,
        "takes_captures": True,
        "guide": [
            {
                "id": str(guide[1].pk),
                "key": str(guide[1].key),
                "position": 1,
                "text": "Where do leftovers go?",
            },
            {"id": str(guide[2].pk), "key": str(guide[2].key), "position": 2, "text": "Who shops?"},
        ],
    }
    text = str(body)
    for contact in [h.contact for h in week["households"]]:
        assert contact.name not in text
        assert contact.email not in text


def test_a_household_that_left_the_panel_comes_without_address_or_phone(team, week):
    enrolment = week["households"][1].enrolments.get(study=team.study)
    enrolment.left_at = NOW - dt.timedelta(days=1)
    enrolment.save()

    body = get_bundle(team.researcher).json()

    visit = next(v for v in body["visits"] if v["id"] == str(week["today"].pk))
    assert (visit["household"]["address"], visit["household"]["phone"]) == ("", "")


def test_a_finished_visit_of_today_stays_on_the_phone_but_takes_no_captures(team, week):
    today = week["today"]
    today.status, today.started_at, today.finished_at = (
        VisitStatus.COMPLETED,
        NOW - dt.timedelta(hours=2),
        NOW - dt.timedelta(hours=1),
    )
    today.save()
    cancelled = week["third day"]
    cancelled.status = VisitStatus.CANCELLED
    cancelled.save()

    body = get_bundle(team.researcher).json()

    listed = {visit["id"]: visit["takes_captures"] for visit in body["visits"]}
    assert listed == {str(week["still going"].pk): True, str(today.pk): False}


def test_it_carries_each_studys_tags_and_zone_once(team, week):
    body = get_bundle(team.researcher).json()

    assert body["studies"] == [
        {
            "id": str(team.study.pk),
            "title": team.study.title,
            "time_zone": "Europe/London",
            "send_original_photos": False,
            "tags": [
                {
                    "id": body["studies"][0]["tags"][0]["id"],
                    "name": "Storage",
                    "group": "",
                    "colour": "#5b6b7f",
                    "description": "",
                    "last_used_at": None,
                }
            ],
        }
    ]


@pytest.mark.parametrize("persona", ["product", "marketing", "outsider", "lead"])
def test_people_without_visits_get_an_empty_bundle(team, week, persona):
    body = get_bundle(getattr(team, persona)).json()

    assert (body["visits"], body["studies"]) == ([], [])


def test_anonymous_visitors_are_refused(api_client, week):
    assert api_client.get(BUNDLE).status_code == 401


def test_it_costs_the_same_queries_for_many_visits(team, week, django_assert_num_queries):
    # the visits with household, address and phone, their guides, their studies' tags (with
    # when the user last noted with each) and when the user last photographed with each; the
    # studies a user may conduct or see personal data in are subqueries of the first; the
    # audit entry recording whose contact details went to the phone
    with django_assert_num_queries(5):
        get_bundle(team.researcher)
    other_round = RoundFactory(study=team.study, label="Extra")
    for index, household in enumerate(enrol_consenting(team.study, 5, prefix="X")):
        VisitFactory(
            round=other_round,
            household=household,
            researcher=team.researcher,
            scheduled_start=utc(13, 1 + index),
        )

    with django_assert_num_queries(5):
        body = get_bundle(team.researcher).json()

    assert len(body["visits"]) == 8
