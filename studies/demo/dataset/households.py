"""The households stage: each household with its contact, consents and enrolment on one
study's panel."""

import datetime as dt

from django.utils.translation import gettext as _

from studies.demo import content
from studies.demo.dataset.builder import Builder, Member, count_of
from studies.demo.dataset.people import FIRST_NAMES, LAST_NAMES, PROFILES, REGIONS, STREETS, TOWNS
from studies.scheduling.models import Consent, ConsentKind, Enrolment, Household, HouseholdContact


def make_households(builder: Builder) -> None:
    """Each household on one study's panel, recruited six weeks before the first round."""
    recruited = dt.datetime.combine(
        builder.periods[0].start - dt.timedelta(days=42), dt.time(11), tzinfo=builder.zone
    )
    # Those who leave write in the evening the second round closes.
    withdrawn_at = dt.datetime.combine(
        builder.periods[min(1, len(builder.periods) - 1)].end, dt.time(20), tzinfo=builder.zone
    )
    weights = [profile.weight for profile in PROFILES]
    width = max(4, len(str(builder.size.households)))
    households, contacts, consents, enrolments = [], [], [], []
    builder.panels = [[] for _study in builder.studies]
    for number in range(builder.size.households):
        study_index = number % len(builder.studies)
        lead = builder.users["lead"][study_index % len(builder.users["lead"])]
        profile = builder.rng.choices(PROFILES, weights)[0]
        region = builder.rng.choice(REGIONS)
        segment = {
            "household size": str(profile.size),
            "children": str(profile.children),
            "region": region,
        }
        if profile.life_stage:
            segment["life stage"] = profile.life_stage
        household = Household(
            id=builder.uuid(),
            code=f"H-{number + 1:0{width}d}",
            segment=segment,
            segment_phrase=f"{profile.phrase}, {region}",
        )
        households.append(household)
        contacts.append(_contact(builder, household, number))
        # The first household of each panel consents to everything and stays, so even
        # a tiny dataset has photos and quotes to show.
        anchor = not builder.panels[study_index]
        photos = anchor or builder.rng.random() < 0.8
        marketing = anchor or builder.rng.random() < 0.5
        leaves = not anchor and builder.rng.random() < 0.04
        # Some take back marketing use of their words and stay on the panel.
        marketing_withdrawn = leaves or (marketing and not anchor and builder.rng.random() < 0.08)
        given = {
            ConsentKind.PARTICIPATION: True,
            ConsentKind.PHOTOS: photos,
            ConsentKind.MARKETING: marketing,
        }
        for kind in [kind for kind, yes in given.items() if yes]:
            withdraws = leaves or (kind == ConsentKind.MARKETING and marketing_withdrawn)
            consents.append(
                Consent(
                    id=builder.uuid(),
                    household=household,
                    kind=kind,
                    version=content.CONSENT_VERSION,
                    given_at=recruited + dt.timedelta(days=number % 5),
                    withdrawn_at=withdrawn_at if withdraws else None,
                    recorded_by=lead,
                )
            )
        enrolments.append(
            Enrolment(
                id=builder.uuid(),
                study=builder.studies[study_index],
                household=household,
                left_at=withdrawn_at if leaves else None,
            )
        )
        builder.panels[study_index].append(
            Member(
                id=household.pk,
                profile=profile,
                photos=photos,
                marketing_now=marketing and not marketing_withdrawn,
                leaves=leaves,
                anchor=anchor,
            )
        )
    builder.insert(Household, households, "households")
    builder.insert(HouseholdContact, contacts, "household contacts")
    builder.insert(Consent, consents, "consents")
    builder.insert(Enrolment, enrolments, "enrolments")
    members = [member for panel in builder.panels for member in panel]
    builder.progress(
        _(
            "Households: %(count)s on %(panels)s, %(consents)s consent records "
            "(%(marketing)s let marketing quote them); %(left)d withdrew after round two."
        )
        % {
            "count": f"{len(households):,}",
            "panels": count_of("panel", len(builder.studies)),
            "consents": f"{len(consents):,}",
            "marketing": f"{sum(member.marketing_now for member in members):,}",
            "left": sum(member.leaves for member in members),
        }
    )


def _contact(builder: Builder, household: Household, number: int) -> HouseholdContact:
    rng = builder.rng
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    letters = "ABDEFGHJLNPQRSTUWXY"
    return HouseholdContact(
        id=builder.uuid(),
        household=household,
        name=f"{first} {last}",
        address=(
            f"{rng.randint(1, 180)} {rng.choice(STREETS)}, "
            f"{rng.choice(TOWNS)} ZZ{rng.randint(1, 9)} "
            f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        ),
        # The range kept for drama: these numbers ring nobody.
        phone=f"+44 20 7946 0{rng.randint(0, 999):03d}",
        email=f"{first}.{last}.{number + 1}@example.com".lower(),
    )
