"""Study roles and what each may do: the one table the access functions consult."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESEARCH_LEAD = "research_lead", _("Research lead")
    RESEARCHER = "researcher", _("Researcher")
    PRODUCT = "product", _("Product")
    MARKETING = "marketing", _("Marketing")


class Capability(models.TextChoices):
    VIEW_STUDY = "view_study"
    MANAGE_STUDY = "manage_study"  # edit the study, its panel and rounds; plan, move, reassign
    VIEW_PERSONAL_DATA = "view_personal_data"  # names, addresses, phones, e-mails
    CONDUCT_VISITS = "conduct_visits"  # be assigned visits, start and finish them, capture
    SYNTHESISE = "synthesise"  # make insights from observations; add and remove evidence
    DECIDE_PRODUCT = "decide_product"  # move cards on product boards
    USE_QUOTES = "use_quotes"  # move cards on marketing boards; record where a quote was used
    COMMENT = "comment"  # comment on insights


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
        }
    ),
    Role.RESEARCHER: frozenset(
        {
            Capability.VIEW_STUDY,
            Capability.VIEW_PERSONAL_DATA,
            Capability.CONDUCT_VISITS,
            Capability.SYNTHESISE,
            Capability.COMMENT,
        }
    ),
    Role.PRODUCT: frozenset({Capability.VIEW_STUDY, Capability.DECIDE_PRODUCT, Capability.COMMENT}),
    Role.MARKETING: frozenset({Capability.VIEW_STUDY, Capability.USE_QUOTES, Capability.COMMENT}),
}


def role_can(role: str | None, capability: str) -> bool:
    return role is not None and capability in CAPABILITIES.get(role, frozenset())
