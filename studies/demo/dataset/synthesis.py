"""The synthesis stages: insights built on the observations and photos, routed to the boards
by the real service, then moved on as product and marketing would."""

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from studies.demo.dataset.builder import (
    Builder,
    ObservationRecord,
    PhotoRecord,
    split_evenly,
    update_rows,
)
from studies.demo.dataset.texts import (
    CAMPAIGNS,
    INSIGHT_FINDINGS,
    insight_description,
    insight_statement,
)
from studies.fieldwork.models import ObservationKind
from studies.synthesis.models import (
    Board,
    BoardCard,
    BoardKind,
    CardEvent,
    Column,
    Evidence,
    Insight,
    InsightTag,
    QuoteUse,
)
from studies.synthesis.services.routing import insights_route

# How often each column is where a card ends up, beyond "new", by board kind.
MOVES = {
    BoardKind.PRODUCT: [
        (Column.EXPLORING, 0.15), (Column.PLANNED, 0.10), (Column.SHIPPED, 0.05),
        (Column.PARKED, 0.08),
    ],
    BoardKind.MARKETING: [(Column.SHORTLISTED, 0.15), (Column.USED, 0.10), (Column.PARKED, 0.05)],
}  # fmt: skip


def make_insights(builder: Builder) -> None:
    """Insights of 2–8 observations each, drawn from the study's observations on one
    topic; about a third built on quotes. Their counts are worked out here, as
    insight_stats_refresh would, so no second pass over the evidence is needed."""
    observations: dict[tuple[int, str], list[ObservationRecord]] = defaultdict(list)
    for observation in builder.observations:
        study = observation.visit.study
        observations[study, "*"].append(observation)
        if observation.kind == ObservationKind.QUOTE:
            observations[study, "quotes"].append(observation)
        for name in observation.tags:
            observations[study, name].append(observation)
            if observation.kind == ObservationKind.QUOTE:
                observations[study, f"quotes:{name}"].append(observation)
    photos: dict[int, list[PhotoRecord]] = defaultdict(list)
    for photo in builder.photos:
        photos[photo.visit.study].append(photo)
    themes = list(INSIGHT_FINDINGS)
    rows, evidence, links = [], [], []
    for study_index, share in enumerate(split_evenly(builder.size.insights, len(builder.studies))):
        for _insight in range(share):
            theme = builder.rng.choice(themes)
            quoted = builder.rng.random() < 0.35
            keys = [f"quotes:{theme}", "quotes", theme, "*"] if quoted else [theme, "*"]
            pool = next(
                found
                for key in keys
                if len(found := observations[study_index, key]) >= 2 or key == "*"
            )
            chosen = builder.rng.sample(pool, min(builder.rng.randint(2, 8), len(pool)))
            chosen_photos = (
                builder.rng.sample(photos[study_index], min(2, len(photos[study_index])))
                if photos[study_index] and builder.rng.random() < 0.15
                else []
            )
            insight, tag_names = _insight_and_tags(
                builder, study_index, theme, chosen, chosen_photos
            )
            if quoted and "Quote-worthy" not in tag_names:
                tag_names.append("Quote-worthy")
            rows.append(insight)
            builder.quotes_of[insight.pk] = [o for o in chosen if o.kind == ObservationKind.QUOTE]
            evidence += [
                Evidence(
                    id=builder.uuid(),
                    insight=insight,
                    observation_id=observation.id,
                    added_by=insight.created_by,
                )
                for observation in chosen
            ] + [
                Evidence(
                    id=builder.uuid(),
                    insight=insight,
                    photo_id=photo.id,
                    added_by=insight.created_by,
                )
                for photo in chosen_photos
            ]
            links += [
                InsightTag(insight=insight, tag=builder.tags[study_index][name])
                for name in tag_names
            ]
    builder.insert(Insight, rows, "insights")
    builder.insert(Evidence, evidence, "evidence")
    builder.insert(InsightTag, links, "insight tags")
    # bulk_create stamps created_at with the clock; an insight is made after its evidence.
    for insight in rows:
        insight.updated_at = insight.created_at = builder.made_at[insight.pk]
    update_rows(
        Insight,
        ["created_at", "updated_at"],
        {insight.pk: (insight.created_at, insight.updated_at) for insight in rows},
    )
    builder.insights = rows
    builder.progress(
        _("Insights: %(count)s with %(evidence)s pieces of evidence and %(tags)s tags.")
        % {
            "count": f"{len(rows):,}",
            "evidence": f"{len(evidence):,}",
            "tags": f"{len(links):,}",
        }
    )


def _insight_and_tags(
    builder: Builder,
    study_index: int,
    theme: str,
    observations: list[ObservationRecord],
    photos: list[PhotoRecord],
) -> tuple[Insight, list[str]]:
    """The insight (not saved) and the names of its tags: its topic and the tags its
    evidence carries most."""
    visits = [observation.visit for observation in observations] + [photo.visit for photo in photos]
    households = {visit.member.id for visit in visits}
    rounds = {visit.round.pk: visit.round for visit in visits}
    covers = photos + [
        photo for observation in observations for photo in builder.photos_of[observation.id]
    ]
    common = Counter(name for observation in observations for name in observation.tags)
    common.pop(theme, None)
    tag_names = [theme] + [name for name, _count in common.most_common(2)]
    statement = insight_statement(builder.rng, theme)
    description = insight_description(builder.rng, households=len(households), rounds=len(rounds))
    synthesisers = builder.study_synthesisers(study_index)
    sightings = [observation.captured_at for observation in observations] + [
        photo.captured_at for photo in photos
    ]
    insight = Insight(
        id=builder.uuid(),
        study=builder.studies[study_index],
        statement=statement,
        description=description,
        research_question_id=(
            builder.rng.choice(builder.questions[study_index])
            if builder.rng.random() < 0.7
            else None
        ),
        created_by=builder.rng.choice(synthesisers),
        evidence_count=len(observations) + len(photos),
        household_count=len(households),
        latest_round=max(rounds.values(), key=lambda round_: round_.window_start),
        cover_photo_id=min(covers, key=lambda photo: photo.captured_at).id if covers else None,
        first_observed_at=min(sightings),
    )
    # Made a few days to three weeks after the last sighting, never in the future.
    builder.made_at[insight.pk] = min(
        max(sightings) + dt.timedelta(days=builder.rng.randint(2, 21)),
        builder.now - dt.timedelta(hours=1),
    )
    return insight, tag_names


def route_and_decide(builder: Builder) -> None:
    """Route every insight with the real service, then move some cards on as product and
    marketing would, and record where some of the used quotes went."""
    outcome = insights_route(insight_ids=None)
    builder.counts["cards"] = len(outcome.placed)
    builder.progress(
        _("Routing: %(count)s cards placed on the boards by the rules.")
        % {"count": f"{len(outcome.placed):,}"}
    )
    kinds = dict(Board.objects.values_list("pk", "kind"))
    created = {insight.pk: insight.created_at for insight in builder.insights}
    cards = sorted(
        BoardCard.objects.filter(removed_at__isnull=True),
        key=lambda card: (card.insight_id, kinds[card.board_id]),
    )
    movers = {
        BoardKind.PRODUCT: builder.users["product"],
        BoardKind.MARKETING: builder.users["marketing"],
    }
    events, uses = [], []
    for card in cards:
        kind = kinds[card.board_id]
        card.moved_at = created[card.insight_id]
        column = _destination(builder, kind)
        if column == Column.NEW:
            continue
        card.column = column
        card.moved_at = min(
            card.moved_at
            + dt.timedelta(days=builder.rng.randint(1, 40), hours=builder.rng.randint(0, 8)),
            builder.now - dt.timedelta(minutes=10),
        )
        card.moved_by = builder.rng.choice(movers[kind])
        events.append(
            CardEvent(
                id=builder.uuid(),
                card=card,
                kind=CardEvent.Kind.MOVED,
                from_column=Column.NEW,
                to_column=column,
                actor=card.moved_by,
            )
        )
        quotes = [
            quote
            for quote in builder.quotes_of[card.insight_id]
            if quote.visit.member.marketing_now
        ]
        if column == Column.USED and quotes:
            campaign = builder.rng.choice(CAMPAIGNS)
            page = campaign.split(":")[0].lower().replace(" ", "-")
            uses.append(
                QuoteUse(
                    id=builder.uuid(),
                    observation_id=builder.rng.choice(quotes).id,
                    campaign=campaign,
                    link=f"https://www.example.com/{page}",
                    used_on=card.moved_at.astimezone(builder.zone).date(),
                    recorded_by=card.moved_by,
                )
            )
    update_rows(
        BoardCard,
        ["moved_at"],
        {card.pk: (card.moved_at,) for card in cards if card.column == Column.NEW},
    )
    update_rows(
        BoardCard,
        ["column", "moved_at", "moved_by"],
        {
            card.pk: (card.column, card.moved_at, card.moved_by_id)
            for card in cards
            if card.column != Column.NEW
        },
    )
    builder.insert(CardEvent, events, "card moves")
    builder.insert(QuoteUse, uses, "quote uses")
    # Every event happened when its card got where it is: placed when the insight was
    # made, moved when it was moved (each card moves once here).
    CardEvent.objects.filter(kind=CardEvent.Kind.PLACED).update(
        created_at=Subquery(
            BoardCard.objects.filter(pk=OuterRef("card_id")).values("insight__created_at")[:1]
        )
    )
    CardEvent.objects.filter(kind=CardEvent.Kind.MOVED).update(
        created_at=Subquery(BoardCard.objects.filter(pk=OuterRef("card_id")).values("moved_at")[:1])
    )
    builder.progress(
        _("Decisions: %(moved)s cards moved on from “new”, %(uses)s quote uses recorded.")
        % {"moved": f"{len(events):,}", "uses": f"{len(uses):,}"}
    )


def _destination(builder: Builder, kind: str) -> str:
    """The column a card on a board of `kind` ends up in, drawn by the shares in MOVES."""
    draw = builder.rng.random()
    for column, share in MOVES[kind]:
        if draw < share:
            return column
        draw -= share
    return Column.NEW
