"""Study roles and what each may do: the one table the access functions consult."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESEARCH_LEAD = "research_lead", _("Research lead")
    RESEARCHER = "researcher", _("Researcher")
    PRODUCT = "product", _("Product")
    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")


class Capability(models.TextChoices):
    VIEW_STUDY = "view_study"
    MANAGE_STUDY = "manage_study"  # edit the study, its panel and rounds; plan, move, reassign
    VIEW_PERSONAL_DATA = "view_personal_data"  # names, addresses, phones, e-mails
    CONDUCT_VISITS = "conduct_visits"  # be assigned visits, start and finish them, capture
    SYNTHESISE = "synthesise"  # make insights from observations; add and remove evidence
    DECIDE_PRODUCT = "decide_product"  # move cards on product boards
    USE_QUOTES = "use_quotes"  # move cards on marketing boards; record where a quote was used
    COMMENT = "comment"  # comment on insights
    OPEN_PRESSURE_TEST = "open_pressure_test"  # put an insight up for a pressure test
    REVIEW_PRESSURE_TEST = "review_pressure_test"  # score an insight for one's team


CAPABILITIES: dict[str, frozenset[str]] = {
    Role.RESEARCH_LEAD: frozenset(
        {
            Capability.VIEW_STUDY,
            Capability.MANAGE_STUDY,
            Capability.VIEW_PERSONAL_DATA,
            Capability.CONDUCT_VISITS,
            Capability.SYNTHESISE,
            Capability.DECIDE_PRODUCT,
            Capability.USE_QUOTES,
            Capability.COMMENT,
            Capability.OPEN_PRESSURE_TEST,
        }
    ),
    Role.RESEARCHER: frozenset(
        {
            Capability.VIEW_STUDY,
            Capability.VIEW_PERSONAL_DATA,
            Capability.CONDUCT_VISITS,
            Capability.SYNTHESISE,
            Capability.COMMENT,
            Capability.OPEN_PRESSURE_TEST,
        }
    ),
    Role.PRODUCT: frozenset(
        {
            Capability.VIEW_STUDY,
            Capability.DECIDE_PRODUCT,
            Capability.COMMENT,
            Capability.OPEN_PRESSURE_TEST,
            Capability.REVIEW_PRESSURE_TEST,
        }
    ),
    Role.MARKETING: frozenset(
        {
            Capability.VIEW_STUDY,
            Capability.USE_QUOTES,
            Capability.COMMENT,
            Capability.OPEN_PRESSURE_TEST,
            Capability.REVIEW_PRESSURE_TEST,
        }
    ),
    # Sales joins the loop to pressure-test needs: it reads and scores, and moves no cards.
    Role.SALES: frozenset(
        {Capability.VIEW_STUDY, Capability.COMMENT, Capability.REVIEW_PRESSURE_TEST}
    ),
}

# The teams whose scores make a pressure test: a reviewer scores for the team of their role.
REVIEW_TEAMS = (Role.PRODUCT, Role.MARKETING, Role.SALES)


def role_can(role: str | None, capability: str) -> bool:
    return role is not None and capability in CAPABILITIES.get(role, frozenset())
