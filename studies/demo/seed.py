"""Builds the demo workspace: a study with its team, panel, rounds, visits and evidence.

Everything the scheduling app owns is made through its services, so the demo obeys the
same rules as real use (consent, availability, no double-booking). Photos go through
photo_ingest and the photo pipeline, as a phone's do. Observations and tags are made with
the ORM here, and only here: capture's sync service takes them from devices, not seeds.
"""

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common.models import User
from studies.common.roles import Role
from studies.demo import content, timeline
from studies.demo.photos import render_jpeg
from studies.fieldwork.models import Observation, ObservationKind, ObservationTag, Photo, Tag
from studies.fieldwork.services.photos import photo_ingest
from studies.loop.services.pressure import pressure_review_submit, pressure_test_open
from studies.scheduling import services
from studies.scheduling.models import (
    Cadence,
    Consent,
    ConsentKind,
    Household,
    Round,
    Study,
    StudyStatus,
    Visit,
    VisitChange,
    VisitStatus,
)
from studies.scheduling.periods import Period, period_containing
from studies.scheduling.planner import WorkingHours, day_slots, working_days
from studies.synthesis.models import Board, BoardCard
from studies.synthesis.services import boards as board_services
from studies.synthesis.services import insights
from studies.synthesis.services.quotes import quote_use_record

Log = Callable[[str], None]

# How many working days, from today, get visits brought forward so the researchers'
# "today" and "this week" screens have something on them.
DAYS_BROUGHT_FORWARD = 3


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    role: str


def demo_logins() -> list[Login]:
    return [
        Login(
            username=user.username,
            name=f"{user.first_name} {user.last_name}",
            role=str(Role(user.role).label) if user.role else _("Administrator (superuser)"),
        )
        for user in content.USERS
    ]


def demo_seed(*, log: Log, now: dt.datetime | None = None) -> bool:
    """Build the demo workspace once. Returns False when it was already there.

    All or nothing: a failure half-way leaves the database as it was.
    """
    now = now or timezone.now()
    with transaction.atomic():
        users, created_users = _ensure_users(log)
        study = Study.objects.filter(title=content.STUDY_TITLE).first()
        if study is not None:
            for user in created_users:
                demo_user = next(u for u in content.USERS if u.username == user.username)
                if demo_user.role:
                    services.membership_set(study=study, user=user, role=demo_user.role)
            return bool(created_users)
        study = _create_study(users, log)
        past_periods = _past_periods(study, now)
        households = _create_panel(study, users["lead"], past_periods[0], log)
        rounds = _plan_rounds(study, past_periods, now, log)
        _bring_visits_forward(
            round_=rounds[-2],
            researchers=[users["rita"], users["ravi"]],
            actor=users["lead"],
            now=now,
            log=log,
        )
        _advance_past_visits(rounds, households, now, log)
        tags = _create_tags(study, log)
        _capture_observations(rounds, households, tags, log)
        timeline.syncs_replayed(rounds=rounds, households=households, offline=content.OFFLINE_SYNCS)
        _synthesise(study, users, tags, now, log)
        for username in ("rita", "ravi"):
            services.calendar_feed_get_or_create(researcher=users[username])
        log(_("Calendar feeds issued for rita and ravi."))
    return True


def _ensure_users(log: Log) -> tuple[dict[str, User], list[User]]:
    users: dict[str, User] = {}
    created: list[User] = []
    password = ""
    for demo_user in content.USERS:
        user = User.objects.filter(username=demo_user.username).first()
        if user is None:
            # Hashing is slow on purpose; every demo account shares the password, so hash once.
            password = password or make_password(content.PASSWORD)
            user = User.objects.create(
                username=demo_user.username,
                email=demo_user.email,
                password=password,
                first_name=demo_user.first_name,
                last_name=demo_user.last_name,
                time_zone=content.TIME_ZONE,
                is_staff=demo_user.is_superuser,
                is_superuser=demo_user.is_superuser,
            )
            if demo_user.username == "ravi":
                services.availability_set(researcher=user, windows=content.RAVI_AVAILABILITY)
            created.append(user)
        users[demo_user.username] = user
    if created:
        log(
            _("Users: created %(names)s.") % {"names": ", ".join(user.username for user in created)}
        )
    return users, created


def _create_study(users: dict[str, User], log: Log) -> Study:
    study = services.study_create(
        actor=users["lead"],
        title=content.STUDY_TITLE,
        why=content.STUDY_WHY,
        questions=content.RESEARCH_QUESTIONS,
        cadence=Cadence.QUARTERLY,
        time_zone=content.TIME_ZONE,
        status=StudyStatus.ACTIVE,
    )
    for demo_user in content.USERS:
        if demo_user.role and demo_user.username != "lead":
            services.membership_set(
                study=study, user=users[demo_user.username], role=demo_user.role
            )
    log(
        _("Study: “%(title)s” with %(count)d research questions and its team.")
        % {"title": study.title, "count": len(content.RESEARCH_QUESTIONS)}
    )
    return study


def _local(day: dt.date, time: dt.time, study: Study) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(study.time_zone))


def _past_periods(study: Study, now: dt.datetime) -> list[Period]:
    """The current quarter and the two before it, oldest first."""
    current = period_containing(study.cadence, services.study_today(study, now))
    previous = period_containing(study.cadence, current.start - dt.timedelta(days=1))
    first = period_containing(study.cadence, previous.start - dt.timedelta(days=1))
    return [first, previous, current]


def _create_panel(study: Study, lead: User, first_period: Period, log: Log) -> dict[str, Household]:
    """Twelve households, recruited six weeks before the first round, all enrolled."""
    recruited_on = first_period.start - dt.timedelta(days=42)
    households: dict[str, Household] = {}
    for index, demo in enumerate(content.HOUSEHOLDS):
        household = services.household_create(
            code=demo.code,
            segment=demo.segment,
            name=demo.name,
            address=demo.address,
            phone=demo.phone,
            email=demo.email,
            segment_phrase=content.SEGMENT_PHRASES.get(demo.code, ""),
        )
        given_at = _local(recruited_on + dt.timedelta(days=index % 5), dt.time(11, 0), study)
        kinds = [ConsentKind.PARTICIPATION]
        if demo.photos:
            kinds.append(ConsentKind.PHOTOS)
        if demo.marketing:
            kinds.append(ConsentKind.MARKETING)
        consents = [
            services.consent_give(
                household=household,
                kind=kind,
                version=content.CONSENT_VERSION,
                actor=lead,
                given_at=given_at,
            )
            for kind in kinds
        ]
        if demo.withdraws_after_first_round:
            # They wrote in the evening the first round closed, withdrawing everything.
            withdrawn_at = _local(first_period.end, dt.time(20, 0), study)
            for consent in consents:
                services.consent_withdraw(consent=consent, at=withdrawn_at)
        services.household_enrol(study=study, household=household)
        households[demo.code] = household
    withdrawn = [demo.code for demo in content.HOUSEHOLDS if demo.withdraws_after_first_round]
    log(
        _("Households: %(count)d enrolled with consent records; %(withdrawn)s withdrew.")
        % {"count": len(households), "withdrawn": ", ".join(withdrawn)}
    )
    return households


def _plan_rounds(
    study: Study, past_periods: Sequence[Period], now: dt.datetime, log: Log
) -> list[Round]:
    """Three past rounds, each planned as its quarter opened, then the upcoming one."""
    rounds = []
    for index, period in enumerate(past_periods):
        outcome = services.round_plan(
            study=study,
            period=period,
            automatic=True,
            now=_local(period.start, dt.time(7, 0), study),
        )
        services.guide_replace(round_=outcome.round, questions=_guide(outcome.round, index))
        rounds.append(outcome.round)
        _log_round(outcome, log)
    upcoming = services.round_plan_next(study=study, now=now)
    rounds.append(upcoming.round)
    _log_round(upcoming, log)
    return rounds


def _guide(round_: Round, index: int) -> list[str | services.GuideItem]:
    """The round's guide from GUIDES: questions carried from the round before stay the same
    questions, those reworded (content.REWORDED) too, under their new words."""
    carried = {question.text: question for question in round_.guide.asked()}
    items: list[str | services.GuideItem] = []
    for text in content.GUIDES[index]:
        earlier = carried.get(content.REWORDED.get(text, ""))
        items.append(services.GuideItem(text, earlier.pk) if earlier else text)
    return items


def _log_round(outcome: services.PlanningOutcome, log: Log) -> None:
    round_ = outcome.round
    log(
        _("Round %(label)s (%(start)s to %(end)s): %(visits)d visits proposed.")
        % {
            "label": round_.label,
            "start": round_.window_start.isoformat(),
            "end": round_.window_end.isoformat(),
            "visits": len(outcome.visits),
        }
    )


def _bring_visits_forward(
    *, round_: Round, researchers: Sequence[User], actor: User, now: dt.datetime, log: Log
) -> None:
    """Move some of the current round's later visits to today and the next working days.

    The planner spreads visits evenly over the quarter, so on most days nobody has one;
    a demo should open on a researcher's day with visits in it.
    """
    study = round_.study
    today = services.study_today(study, now)
    days = working_days(today, round_.window_end)[:DAYS_BROUGHT_FORWARD]
    if not days:
        return
    hours = WorkingHours(
        day_start=study.workday_start,
        day_end=study.workday_end,
        visit_minutes=study.visit_minutes,
        gap_minutes=study.travel_minutes,
        time_zone=study.time_zone,
    )
    after_last_day = _local(days[-1] + dt.timedelta(days=1), dt.time.min, study)
    moved = 0
    for day in days:
        day_start = _local(day, dt.time.min, study)
        day_end = _local(day + dt.timedelta(days=1), dt.time.min, study)
        for researcher in researchers:
            if round_.visits.filter(
                researcher=researcher, scheduled_start__gte=day_start, scheduled_start__lt=day_end
            ).exists():
                continue
            later = (
                round_.visits.filter(
                    researcher=researcher,
                    status=VisitStatus.SCHEDULED,
                    scheduled_start__gte=after_last_day,
                )
                .order_by("-scheduled_start")
                .first()
            )
            if later is None:
                continue
            for slot in day_slots(day, hours):
                if slot.start <= now:
                    continue
                try:
                    services.visit_reschedule(
                        visit=later,
                        actor=actor,
                        start=slot.start,
                        end=slot.end,
                        note=_("The household asked for an earlier date."),
                    )
                except ValidationError:
                    # Outside the researcher's hours or clashing: try the next slot.
                    continue
                moved += 1
                break
    if moved:
        log(
            _("Moved %(count)d visits of %(label)s to the coming days.")
            % {"count": moved, "label": round_.label}
        )


def _advance_past_visits(
    rounds: Sequence[Round], households: dict[str, Household], now: dt.datetime, log: Log
) -> None:
    """Visits that have ended are completed (one a no-show); one under way is in progress."""
    no_show_code, no_show_round = content.NO_SHOW
    no_show_household = households[no_show_code]
    counts: Counter[str] = Counter()
    visits = Visit.objects.filter(
        round__in=rounds, status=VisitStatus.SCHEDULED, scheduled_start__lte=now
    ).order_by("scheduled_start")
    for visit in visits:
        actor = visit.researcher
        if (
            visit.round_id == rounds[no_show_round].pk
            and visit.household_id == no_show_household.pk
        ):
            services.visit_transition(visit=visit, actor=actor, to_status=VisitStatus.NO_SHOW)
            _backdate(
                visit, started=None, finished=visit.scheduled_start + dt.timedelta(minutes=20)
            )
            counts[VisitStatus.NO_SHOW] += 1
            continue
        services.visit_transition(visit=visit, actor=actor, to_status=VisitStatus.IN_PROGRESS)
        if visit.scheduled_end <= now:
            services.visit_transition(visit=visit, actor=actor, to_status=VisitStatus.COMPLETED)
            _backdate(visit, started=visit.scheduled_start, finished=visit.scheduled_end)
            counts[VisitStatus.COMPLETED] += 1
        else:
            _backdate(visit, started=visit.scheduled_start, finished=None)
            counts[VisitStatus.IN_PROGRESS] += 1
    log(
        _(
            "Visits already past: %(completed)d completed, %(no_show)d no-show, "
            "%(in_progress)d in progress; the rest stay scheduled."
        )
        % {
            "completed": counts[VisitStatus.COMPLETED],
            "no_show": counts[VisitStatus.NO_SHOW],
            "in_progress": counts[VisitStatus.IN_PROGRESS],
        }
    )


def _backdate(visit: Visit, *, started: dt.datetime | None, finished: dt.datetime | None) -> None:
    """Give a replayed visit the times it would have had, had it happened live.

    visit_transition stamps the real clock, which is right in use but would make a demo
    history say that months of visits all happened in the second the demo was loaded.
    """
    fields = {}
    if started is not None:
        fields["started_at"] = started
        VisitChange.objects.filter(
            visit=visit, kind=VisitChange.Kind.STATUS, to_status=VisitStatus.IN_PROGRESS
        ).update(created_at=started)
    if finished is not None:
        fields["finished_at"] = finished
        VisitChange.objects.filter(
            visit=visit,
            kind=VisitChange.Kind.STATUS,
            to_status__in=[VisitStatus.COMPLETED, VisitStatus.NO_SHOW],
        ).update(created_at=finished)
    Visit.objects.filter(pk=visit.pk).update(**fields)


def _create_tags(study: Study, log: Log) -> dict[str, Tag]:
    # ORM on purpose: see the module docstring.
    tags = {
        demo.name: Tag.objects.create(
            study=study,
            name=demo.name,
            group=demo.group,
            colour=demo.colour,
            description=demo.description,
        )
        for demo in [*content.GROUP_TAGS, *content.STUDY_TAGS]
    }
    log(
        _("Tags: %(groups)d default groups and %(own)d for this study.")
        % {"groups": len(content.GROUP_TAGS), "own": len(content.STUDY_TAGS)}
    )
    return tags


def _capture_observations(
    rounds: Sequence[Round], households: dict[str, Household], tags: dict[str, Tag], log: Log
) -> None:
    """What the researchers captured at each completed visit, with photos where allowed."""
    observations = photos = 0
    for (code, round_index), items in content.OBSERVATIONS.items():
        round_ = rounds[round_index]
        visit = Visit.objects.filter(
            round=round_, household=households[code], status=VisitStatus.COMPLETED
        ).first()
        if visit is None:
            continue  # not visited yet, or nobody was home
        guide = {question.position: question for question in round_.guide.asked()}
        for item in items:
            captured_at = visit.scheduled_start + dt.timedelta(minutes=item.minutes_in)
            # ORM on purpose: see the module docstring.
            observation = Observation.objects.create(
                visit=visit,
                author=visit.researcher,
                kind=item.kind,
                text=item.text,
                speaker=item.speaker,
                guide_question=guide.get(item.guide_position)
                if item.guide_position is not None
                else None,
                question_text=guide[item.guide_position].text
                if item.guide_position is not None
                else None,
                captured_at=captured_at,
            )
            observations += 1
            ObservationTag.objects.bulk_create(
                ObservationTag(observation=observation, tag=tags[name]) for name in item.tags
            )
            if item.photo and _photos_allowed(visit.household, captured_at):
                # Through the real pipeline: the demo's photos are cleaned and rendered
                # exactly as a phone's would be.
                photo_ingest(
                    visit=visit,
                    author=visit.researcher,
                    content=render_jpeg(item.photo),
                    caption=item.caption,
                    captured_at=captured_at,
                    observation=observation,
                )
                photos += 1
    photos += _photos_alone(rounds, households)
    log(
        _("Observations: %(observations)d captured, with %(photos)d photos.")
        % {"observations": observations, "photos": photos}
    )


def _photos_alone(rounds: Sequence[Round], households: dict[str, Household]) -> int:
    """Photos taken with no note (content.PHOTOS_ALONE), tagged at capture as a phone does."""
    taken = 0
    for (code, round_index), pictures in content.PHOTOS_ALONE.items():
        visit = Visit.objects.filter(
            round=rounds[round_index], household=households[code], status=VisitStatus.COMPLETED
        ).first()
        if visit is None:
            continue
        for picture in pictures:
            captured_at = visit.scheduled_start + dt.timedelta(minutes=picture.minutes_in)
            if _photos_allowed(visit.household, captured_at):
                photo_ingest(
                    visit=visit,
                    author=visit.researcher,
                    content=render_jpeg(picture.drawing),
                    caption=picture.caption,
                    tag_names=picture.tags,
                    captured_at=captured_at,
                )
                taken += 1
    return taken


def _synthesise(
    study: Study, users: dict[str, User], tags: dict[str, Tag], now: dt.datetime, log: Log
) -> None:
    """The lead's synthesis so far: insights routed to the boards, decisions, comments, uses,
    each dated when it would have happened (studies/demo/timeline.py)."""
    questions = list(study.questions.order_by("position"))
    boards = {board.slug: board for board in Board.objects.all()}
    for demo in content.INSIGHTS:
        quoted = Q(pk__in=[])
        for opening in demo.quotes:
            quoted |= Q(kind=ObservationKind.QUOTE, text__startswith=opening)
        evidence = list(
            Observation.objects.filter(visit__round__study=study)
            .filter(Q(tags=tags[demo.evidence_tag]) | quoted)
            .distinct()
            .order_by("captured_at")
        )
        # A photo taken on its own backs the insight its tag names, as a note would.
        pictures = Photo.objects.shown().filter(
            visit__round__study=study, observation__isnull=True, tags=tags[demo.evidence_tag]
        )
        insight = insights.insight_create(
            study=study,
            actor=users[demo.by],
            statement=demo.statement,
            description=demo.description,
            observation_ids=[observation.pk for observation in evidence],
            photo_ids=list(pictures.values_list("pk", flat=True)),
            tag_ids=[tags[name].pk for name in demo.tags],
            research_question_id=questions[demo.question].pk,
        )
        insight.refresh_from_db()
        made = timeline.insight_replayed(insight, now=now)
        for decision in demo.decisions:
            card = BoardCard.objects.get(insight=insight, board=boards[decision.board])
            board_services.card_move(
                card=card, column=decision.column, actor=users[decision.by], note=decision.note
            )
            at = made + dt.timedelta(days=decision.after_days)
            timeline.move_replayed(card, at=at, now=now)
        for days, (username, text) in enumerate(demo.comments, start=3):
            comment = insights.comment_create(insight=insight, author=users[username], text=text)
            timeline.comment_replayed(comment, at=made + dt.timedelta(days=days), now=now)
        if demo.used_in:
            quote = next(o for o in evidence if o.kind == ObservationKind.QUOTE)
            use = quote_use_record(
                quote=quote, actor=users["mark"], campaign=demo.used_in[0], link=demo.used_in[1]
            )
            at = made + dt.timedelta(days=demo.used_after_days)
            timeline.quote_use_replayed(use, at=at, now=now)
        if demo.pressure_test is not None:
            test = pressure_test_open(insight=insight, actor=users["lead"])
            for review in demo.pressure_test:
                pressure_review_submit(
                    test=test,
                    reviewer=users[review.by],
                    importance=review.importance,
                    differentiation=review.differentiation,
                    feasibility=review.feasibility,
                    comment=review.comment,
                )
    log(
        _(
            "Insights: %(count)d, routed to the product board and the quote bank; "
            "%(tested)d put up for a pressure test."
        )
        % {
            "count": len(content.INSIGHTS),
            "tested": sum(demo.pressure_test is not None for demo in content.INSIGHTS),
        }
    )


def _photos_allowed(household: Household, at: dt.datetime) -> bool:
    return (
        Consent.objects.in_force(at).filter(household=household, kind=ConsentKind.PHOTOS).exists()
    )
