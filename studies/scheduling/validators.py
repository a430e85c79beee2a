"""Shapes of values the scheduling domain names, each checked in one place."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A household code is a pseudonym read in pages, URLs, file names and spreadsheet cells:
# letters, digits and - _ . only, starting with a letter or digit, so it can never be
# markup or a formula (a leading "-" or "+" is one to a spreadsheet program).
household_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z",
    _(
        "A household code takes letters, digits and - _ . only, and starts with a letter "
        "or a digit, e.g. H-014."
    ),
    code="invalid_household_code",
)
