"""The quote bank: marketing-routed quotes of consenting households only, attributed by code."""

import datetime as dt

import pytest
from django.utils import timezone

from studies.scheduling.models import Consent, ConsentKind
from studies.synthesis.selectors import QuoteFilters, attribution, quote_bank
from studies.synthesis.services import insights

pytestmark = pytest.mark.django_db


def bank(user, **filters):
    return list(quote_bank(user=user, filters=QuoteFilters(**filters)).values_list("pk", flat=True))


@pytest.fixture
def quotable(field):
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement="Nobody knows what is in the freezer.",
        observation_ids=[quote.pk for quote in field.quotes] + [field.notes[0].pk],
        tag_ids=[field.quotable.pk],
    )


def test_only_quotes_of_households_with_marketing_consent_are_in_the_bank(field, quotable):
    # households[2] never consented to marketing use; notes are not quotes.
    assert set(bank(field.team.marketing)) == {field.quotes[0].pk, field.quotes[1].pk}


def test_withdrawing_consent_takes_the_quote_out_at_once(field, quotable):
    Consent.objects.filter(household=field.households[0], kind=ConsentKind.MARKETING).update(
        withdrawn_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert bank(field.team.marketing) == [field.quotes[1].pk]


def test_consent_given_in_the_future_is_not_yet_in_force(field, quotable):
    Consent.objects.filter(household=field.households[0], kind=ConsentKind.MARKETING).update(
        given_at=timezone.now() + dt.timedelta(days=1)
    )

    assert bank(field.team.marketing) == [field.quotes[1].pk]


def test_quotes_of_insights_only_on_the_product_board_stay_out(field):
    insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement="Freezers hide food.",
        observation_ids=[field.quotes[0].pk],
        tag_ids=[field.pain.pk],
    )

    assert bank(field.team.marketing) == []


def test_outsiders_see_no_quotes(field, quotable):
    assert bank(field.team.outsider) == []


def test_filters_narrow_the_bank(field, quotable):
    assert bank(field.team.marketing, segment="parent of three") == [field.quotes[0].pk]
    assert bank(field.team.marketing, text="(1)") == [field.quotes[1].pk]
    assert bank(field.team.marketing, round_id=field.rounds[0].pk) == []
    assert set(bank(field.team.marketing, tag_id=field.quotable.pk)) == {
        field.quotes[0].pk,
        field.quotes[1].pk,
    }


def test_attribution_is_the_code_and_a_phrase_never_a_name(field):
    household = field.households[0]
    household.contact.name = "Prudence Quigley"
    household.contact.save()

    assert attribution(household) == f"{household.code}, parent of three, suburban"
    assert "Prudence" not in attribution(household)
