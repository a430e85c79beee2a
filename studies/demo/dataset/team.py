"""The first stage: the generated team, and the studies they work on with their research
questions, memberships and tags."""

import math

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from studies.common.models import User
from studies.common.roles import Role
from studies.demo import content
from studies.demo.dataset.builder import TIME_ZONE, USERNAME_PREFIX, Builder, count_of
from studies.demo.dataset.people import FIRST_NAMES, LAST_NAMES
from studies.demo.dataset.texts import STUDY_TOPICS
from studies.fieldwork.models import Tag
from studies.scheduling.models import Cadence, ResearchQuestion, Study, StudyMembership, StudyStatus


def make_team_and_studies(builder: Builder) -> None:
    """Users of every role, then each study with its research questions, team and tags."""
    studies = builder.size.studies
    sizes = {
        "lead": math.ceil(studies / 3),
        "researcher": max(3, 2 * studies),
        "product": 3,
        "marketing": 2,
    }
    # Hashing is slow on purpose; every generated account shares the demo's password.
    password = make_password(content.PASSWORD)
    names = [(first, last) for last in LAST_NAMES for first in FIRST_NAMES]
    builder.rng.shuffle(names)
    users: list[User] = []
    for role, count in sizes.items():
        builder.users[role] = []
        for number in range(1, count + 1):
            first, last = names[len(users) % len(names)]
            user = User(
                username=f"{USERNAME_PREFIX}{role}-{number:02d}",
                email=f"{first}.{last}.{len(users) + 1}@example.org".lower(),
                first_name=first,
                last_name=last,
                password=password,
                time_zone=TIME_ZONE,
            )
            builder.users[role].append(user)
            users.append(user)
    # bulk_create gives each user its database id back, which memberships need.
    builder.insert(User, users, "users")

    rows, questions, memberships, tags = [], [], [], []
    for index in range(studies):
        title, topic = STUDY_TOPICS[index % len(STUDY_TOPICS)]
        if index >= len(STUDY_TOPICS):
            title = f"{title} ({index // len(STUDY_TOPICS) + 1})"
        study = Study(
            id=builder.uuid(),
            title=title,
            why=(
                "We keep designing for the tidy kitchen in a catalogue. This study watches "
                f"{topic}, every quarter, so product and marketing build on what really "
                "happens in homes."
            ),
            cadence=Cadence.QUARTERLY,
            time_zone=TIME_ZONE,
            status=StudyStatus.ACTIVE,
        )
        rows.append(study)
        study_questions = [
            ResearchQuestion(id=builder.uuid(), study=study, text=text, position=position)
            for position, text in enumerate(content.RESEARCH_QUESTIONS)
        ]
        questions += study_questions
        builder.questions.append([question.pk for question in study_questions])
        team = [(builder.users["lead"][index % sizes["lead"]], Role.RESEARCH_LEAD)]
        team += [(user, Role.RESEARCHER) for user in builder.study_researchers(index)]
        team += [(user, Role.PRODUCT) for user in builder.users["product"]]
        team += [(user, Role.MARKETING) for user in builder.users["marketing"]]
        memberships += [
            StudyMembership(id=builder.uuid(), study=study, user=user, role=role)
            for user, role in team
        ]
        study_tags = {
            demo.name: Tag(
                id=builder.uuid(),
                study=study,
                name=demo.name,
                group=demo.group,
                colour=demo.colour,
                description=demo.description,
            )
            for demo in [*content.GROUP_TAGS, *content.STUDY_TAGS]
        }
        builder.tags.append(study_tags)
        tags += study_tags.values()
    builder.studies = rows
    builder.insert(Study, rows, "studies")
    builder.insert(ResearchQuestion, questions, "research questions")
    builder.insert(StudyMembership, memberships, "memberships")
    builder.insert(Tag, tags, "tags")
    builder.progress(
        _("Team: %(users)d users; %(studies)s with their questions and tags.")
        % {"users": len(users), "studies": count_of("study", studies)}
    )
