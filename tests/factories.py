"""factory_boy factories shared by every test module."""

import datetime as dt

import factory
from django.utils import timezone

from studies.common.models import User
from studies.common.roles import Role
from studies.fieldwork.models import Observation, ObservationKind, Photo, PhotoStatus, Tag
from studies.scheduling.models import (
    Consent,
    ConsentKind,
    Enrolment,
    Household,
    HouseholdContact,
    Round,
    Study,
    StudyMembership,
    StudyStatus,
    Visit,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.Faker("first_name")
    password = factory.django.Password("correct horse battery staple")


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    title = factory.Sequence(lambda n: f"Study {n}")
    why = "Why families store food the way they do."
    time_zone = "Europe/London"
    status = StudyStatus.ACTIVE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyMembership

    study = factory.SubFactory(StudyFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.RESEARCHER


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"H-{n:03d}")
    segment = factory.LazyFunction(lambda: {"household size": "4", "region": "north"})
    contact = factory.RelatedFactory(
        "tests.factories.HouseholdContactFactory", factory_related_name="household"
    )


class HouseholdContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdContact

    household = factory.SubFactory(HouseholdFactory, contact=None)
    name = factory.Faker("name")
    address = factory.Faker("address")
    phone = "+44 20 7946 0000"
    email = factory.Faker("email")


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    household = factory.SubFactory(HouseholdFactory)
    kind = ConsentKind.PARTICIPATION
    version = "1.0"
    given_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    study = factory.SubFactory(StudyFactory)
    household = factory.SubFactory(HouseholdFactory)


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    study = factory.SubFactory(StudyFactory)
    label = factory.Sequence(lambda n: f"R{n}")
    window_start = dt.date(2027, 1, 1)
    window_end = dt.date(2027, 3, 31)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    round = factory.SubFactory(RoundFactory)
    household = factory.SubFactory(HouseholdFactory)
    researcher = factory.SubFactory(UserFactory)
    scheduled_start = dt.datetime(2027, 1, 12, 9, 0, tzinfo=dt.UTC)
    scheduled_end = factory.LazyAttribute(lambda v: v.scheduled_start + dt.timedelta(minutes=90))


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    visit = factory.SubFactory(VisitFactory)
    author = factory.LazyAttribute(lambda o: o.visit.researcher)
    kind = ObservationKind.NOTE
    text = "Keeps leftovers in stacked takeaway tubs."
    captured_at = factory.LazyFunction(timezone.now)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    study = factory.SubFactory(StudyFactory)
    name = factory.Sequence(lambda n: f"tag {n}")


class PhotoFactory(factory.django.DjangoModelFactory):
    """A photo row as the pipeline leaves it, ready, without files: for the rules about
    photos, not for the pipeline (tests/fieldwork/photo_support.py sends real images)."""

    class Meta:
        model = Photo

    visit = factory.SubFactory(VisitFactory)
    author = factory.LazyAttribute(lambda p: p.visit.researcher)
    captured_at = factory.LazyFunction(timezone.now)
    status = PhotoStatus.READY
    width = 1600
    height = 1200
