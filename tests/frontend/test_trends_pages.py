"""The Trends page and its evidence drill-down, through the real views and templates."""

import datetime as dt
import re
import uuid
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studies.fieldwork.models import ObservationKind
from studies.privacy.services import consent_withdraw
from studies.scheduling.models import Consent, ConsentKind, GuideQuestion, VisitStatus
from tests.conftest import Team
from tests.factories import ObservationFactory, RoundFactory, StudyFactory, TagFactory
from tests.frontend.conftest import SECRET_NAME
from tests.loop.trend_support import Panel, trend_study

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def trends_url(team: Team, **query: str) -> str:
    url = reverse("frontend:trends", args=[team.study.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def evidence_url(team: Team, tag, round_, segment: str = "") -> str:
    url = reverse("frontend:trends-evidence", args=[team.study.pk])
    url += f"?tag={tag}&round={round_}"
    return url + (f"&segment={segment}" if segment else "")


def text_of(html: str) -> str:
    """The words a sighted reader sees: charts and visually hidden text are for screen
    readers."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.DOTALL)
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', " ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("persona", ["lead", "researcher", "product", "marketing", "sales"])
def test_every_member_sees_the_trends_of_the_study(team, persona):
    study = trend_study(team)

    response = signed_in(getattr(team, persona)).get(trends_url(team))

    assert response.status_code == 200
    page = text_of(response.content.decode())
    assert "What changed in 2026-Q2" in page
    assert "Compared with 2026-Q1." in page
    assert "Households visited: 2026-Q1: 8 households 2026-Q2: 8 households" in page
    assert "Not visited yet: 2026-Q3" in page
    # Leftovers: 2 of 8, then 5 of 8.
    assert "Leftovers in tubs 25% · 2 of 8 62% · 5 of 8 Growing" in page
    assert "Freezer blindness 38% · 3 of 8 0% · 0 of 8 Gone Shipped " + study.shipped.statement in (
        page
    )
    assert "Hand-written labels 0% · 0 of 8 25% · 2 of 8 New" in page


def test_the_changes_link_to_their_evidence(team):
    study = trend_study(team)

    html = signed_in(team.product).get(trends_url(team)).content.decode()

    first, latest = study.rounds
    growing = evidence_url(team, study.leftovers.pk, latest.pk).replace("&", "&amp;")
    gone_where_last_seen = evidence_url(team, study.freezer.pk, first.pk).replace("&", "&amp;")
    assert f'<a href="{growing}">Leftovers in tubs</a>' in html
    assert f'<a href="{gone_where_last_seen}">Freezer blindness</a>' in html
    insight = reverse("frontend:insight", args=[study.growing.pk])
    assert f'<a href="{insight}">{study.growing.statement}</a>' in html
    assert html.count('class="chart chart-spark"') == 5  # three tags, two insights
    assert 'class="chart"' in html  # the most seen tags


def test_a_segment_narrows_both_counts(team):
    trend_study(team)

    response = signed_in(team.lead).get(trends_url(team, segment="region=north"))

    page = text_of(response.content.decode())
    assert response.status_code == 200
    assert "Leftovers in tubs 25% · 1 of 4 75% · 3 of 4 Growing" in page
    assert '<option value="region=north" selected>' in response.content.decode()


@pytest.mark.parametrize(
    "segment", ["region=west", "nonsense", "region__regex=.*", "region=west%00", "x" * 300]
)
def test_a_bad_segment_says_so_and_never_fails(team, segment):
    trend_study(team)

    response = signed_in(team.lead).get(trends_url(team, segment=segment))

    page = text_of(response.content.decode())
    if len(segment) > 200:
        assert response.status_code == 400
        assert "A segment is at most 200 characters; showing every household." in page
        assert "What changed in 2026-Q2" in page
    else:
        assert response.status_code == 200
        assert "has been visited, so there is nothing to compare" in page
        assert "<table" not in response.content.decode()
        assert "<svg" not in response.content.decode()


def test_a_study_with_one_visited_round_explains_and_shows_a_table_without_charts(team):
    panel = Panel.of(team, 4)
    spring, summer = panel.round("2026-Q1", 1), panel.round("2026-Q2", 2)
    panel.visit_all(spring)
    panel.visit(summer, panel.households[0], VisitStatus.SCHEDULED)
    panel.show(spring, panel.households[:3], panel.tag("Tubs"))

    response = signed_in(team.lead).get(trends_url(team))

    html = response.content.decode()
    page = text_of(html)
    assert response.status_code == 200
    assert (
        "Trends compare rounds: this study has 1 round with visits so far. Come back after "
        "the next round's visits." in page
    )
    assert "Tubs 75% · 3 of 4" in page
    assert "Not visited yet: 2026-Q2" in page
    assert "<svg" not in html
    assert "What changed" not in page


def test_a_study_with_no_visits_says_so(team):
    TagFactory(study=team.study)

    response = signed_in(team.lead).get(trends_url(team))

    assert response.status_code == 200
    assert "No round has visits yet." in text_of(response.content.decode())
    assert "<table" not in response.content.decode()


def test_an_outsider_and_an_anonymous_visitor_see_nothing(team):
    trend_study(team)

    assert signed_in(team.outsider).get(trends_url(team)).status_code == 404
    anonymous = Client().get(trends_url(team))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")


def test_the_study_page_links_to_trends(team):
    response = signed_in(team.sales).get(reverse("frontend:study", args=[team.study.pk]))

    assert f'href="{trends_url(team)}"' in response.content.decode()


def test_the_evidence_shows_pseudonyms_and_times_in_the_viewers_zone(team):
    study = trend_study(team)
    team.product.time_zone = "Asia/Tokyo"
    team.product.save(update_fields=["time_zone"])
    household = study.panel.households[1]
    household.contact.name = SECRET_NAME
    household.contact.save()
    first = household.visits.get(round=study.rounds[0]).observations.get()
    photo = study.panel.photo(study.rounds[0], household)
    photo.observation = first
    photo.save(update_fields=["observation"])
    first.captured_at = dt.datetime(2026, 2, 1, 23, 30, tzinfo=dt.UTC)
    first.save(update_fields=["captured_at"])

    response = signed_in(team.product).get(evidence_url(team, study.freezer.pk, study.rounds[0].pk))

    html = response.content.decode()
    page = text_of(html)
    assert response.status_code == 200
    assert "“Freezer blindness” in 2026-Q1" in page
    assert "3 households showed this tag in this round." in page
    assert f'<span class="code">{household.code}</span>, {household.segment_phrase}' in html
    assert "2 Feb 2026, 08:30" in page  # 23:30 UTC in Tokyo
    assert "Times are in Asia/Tokyo." in page
    assert reverse("photo-file", args=[photo.pk, "thumb", "jpg"]) in html
    assert SECRET_NAME not in html
    assert household.contact.phone not in html


def test_marketing_does_not_see_quotes_without_marketing_consent(team):
    study = trend_study(team)
    url = evidence_url(team, study.leftovers.pk, study.rounds[1].pk, "region=south")

    for_marketing = signed_in(team.marketing).get(url).content.decode()
    for_product = signed_in(team.product).get(url).content.decode()

    assert study.quote.text not in for_marketing
    assert "1 quote is not shown" in text_of(for_marketing)
    assert "Not for marketing use" not in for_marketing
    assert study.quote.text in for_product
    assert "not shown" not in for_product


@pytest.mark.parametrize("persona", ["lead", "researcher", "product", "sales"])
def test_everyone_else_sees_such_a_quote_labelled_with_nothing_to_copy(team, persona):
    study = trend_study(team)
    consented = study.panel.show(
        study.rounds[1],
        study.panel.households[:1],
        study.leftovers,
        kind=ObservationKind.QUOTE,
        text="We label nothing and regret it.",
    )[0]
    url = evidence_url(team, study.leftovers.pk, study.rounds[1].pk)

    html = signed_in(getattr(team, persona)).get(url).content.decode()

    items = html.split('<li class="card evidence-item"')[1:]
    labelled = [item for item in items if "Not for marketing use" in item]
    assert len(labelled) == 1
    assert study.quote.text in labelled[0]
    assert consented.text in html
    assert "data-copy-text" not in html


def test_an_answer_shows_the_question_it_was_given_to(team):
    study = trend_study(team)
    question = GuideQuestion.objects.create(
        round=study.rounds[1], position=0, text="What goes in the tubs?"
    )
    ObservationFactory(
        visit=study.panel.households[0].visits.get(round=study.rounds[1]),
        kind=ObservationKind.ANSWER,
        text="Soup, mostly.",
        guide_question=question,
        question_text=question.text,
    ).tags.add(study.leftovers)

    html = (
        signed_in(team.product)
        .get(evidence_url(team, study.leftovers.pk, study.rounds[1].pk))
        .content.decode()
    )

    assert "Asked: “What goes in the tubs?”" in text_of(html)
    assert "Soup, mostly." in html


def test_the_photos_behind_a_tag_are_listed_and_counted(team):
    study = trend_study(team)
    latest = study.rounds[1]
    photographed = study.panel.households[7]  # shows no leftovers in any observation
    photo = study.panel.photo(latest, photographed)
    photo.tags.add(study.leftovers)
    withdrawn = study.panel.households[6]
    hidden = study.panel.photo(latest, withdrawn)
    hidden.tags.add(study.leftovers)
    consent_withdraw(
        consent=Consent.objects.get(household=withdrawn, kind=ConsentKind.PHOTOS),
        actor=team.lead,
    )

    trends_page = text_of(signed_in(team.product).get(trends_url(team)).content.decode())
    response = signed_in(team.product).get(evidence_url(team, study.leftovers.pk, latest.pk))

    html = response.content.decode()
    page = text_of(html)
    # Five households by their notes and quote, one by a photo, one by a hidden photo.
    assert "Leftovers in tubs 25% · 2 of 8 88% · 7 of 8 Growing" in trends_page
    assert "6 households showed this tag in this round." in page
    assert "Photos carrying this tag" in page
    assert f'<li class="card evidence-item" id="photo-{photo.pk}">' in html
    assert reverse("photo-file", args=[photo.pk, "thumb", "jpg"]) in html
    assert reverse("photo-file", args=[hidden.pk, "thumb", "jpg"]) not in html
    assert f'<span class="code">{photographed.code}</span>, {photographed.segment_phrase}' in html
    assert "1 photo is not shown: its household has not consented to its photos being shown." in (
        page
    )


def test_the_evidence_page_takes_the_same_queries_however_much_is_behind_it(
    team, django_assert_num_queries
):
    study = trend_study(team)
    latest = study.rounds[1]
    client = signed_in(team.lead)
    url = evidence_url(team, study.leftovers.pk, latest.pk)
    client.get(url)
    for household in study.panel.households:
        study.panel.photo(latest, household).tags.add(study.leftovers)
        study.panel.show(latest, [household], study.leftovers)

    # session, user, the study, the viewer's role in it, the tag, the round; the
    # observations, their photos, the quotes withheld from marketing counted, the tagged
    # photos; the menu's role check.
    with django_assert_num_queries(11):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["evidence"].photos) == 8


def test_evidence_leaves_out_deleted_observations_and_other_segments(team):
    study = trend_study(team)
    gone = study.panel.households[0].visits.get(round=study.rounds[1]).observations.first()
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])

    html = (
        signed_in(team.lead)
        .get(evidence_url(team, study.leftovers.pk, study.rounds[1].pk, "region=north"))
        .content.decode()
    )

    codes = re.findall(r'<span class="code">([^<]+)</span>', html)
    assert codes == [study.panel.households[1].code, study.panel.households[2].code]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "tag=&round=",
        "tag=not-a-uuid&round=also-not",
        "tag={unknown}&round={round}",
        "tag={tag}&round={unknown}",
        "tag={foreign_tag}&round={round}",
        "tag={tag}&round={foreign_round}",
        "tag={round}&round={tag}",
    ],
)
def test_an_unknown_or_malformed_tag_or_round_is_not_found(team, query):
    study = trend_study(team)
    foreign_round = RoundFactory(study=StudyFactory())
    values = {
        "tag": study.leftovers.pk,
        "round": study.rounds[0].pk,
        "unknown": uuid.uuid4(),
        "foreign_tag": TagFactory(study=foreign_round.study).pk,
        "foreign_round": foreign_round.pk,
    }
    url = reverse("frontend:trends-evidence", args=[team.study.pk]) + "?" + query.format(**values)

    assert signed_in(team.lead).get(url).status_code == 404


def test_an_outsider_cannot_see_evidence(team):
    study = trend_study(team)
    url = evidence_url(team, study.leftovers.pk, study.rounds[0].pk)

    assert signed_in(team.outsider).get(url).status_code == 404


def test_a_quote_in_the_evidence_is_shown_as_a_quote(team):
    study = trend_study(team)

    html = (
        signed_in(team.lead)
        .get(evidence_url(team, study.leftovers.pk, study.rounds[1].pk))
        .content.decode()
    )

    assert f"<blockquote><p>{study.quote.text}</p></blockquote>" in html
    assert study.quote.kind == ObservationKind.QUOTE
