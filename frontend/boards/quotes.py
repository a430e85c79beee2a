"""The marketing quote bank: consented quotes of marketing insights, copied with their
attribution, exported, and where each was used."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.boards.common import back_to
from frontend.boards.forms import FilterOptions, QuoteFilterForm, QuoteUseForm, filter_query
from frontend.refusals import messages_of, status_for
from studies.common.models import User
from studies.common.roles import Capability
from studies.fieldwork.models import Observation
from studies.scheduling.access import studies_for_user
from studies.synthesis import access, selectors
from studies.synthesis.models import Board, BoardKind
from studies.synthesis.services import quotes as quote_services

# The exports are the API's (session sign-in works there); the paths are fixed by the
# shared API contract and take the same filter names as the quote bank page.
QUOTE_EXPORTS = {"csv": "/api/v1/quotes/export.csv", "md": "/api/v1/quotes/export.md"}
QUOTES_PER_PAGE = 25


@dataclass
class QuoteRow:
    quote: Observation
    attribution: str
    copy_text: str
    can_record: bool
    form: QuoteUseForm


def _quote_rows(
    user: User, quotes: Any, *, bound: tuple[uuid.UUID, QuoteUseForm] | None = None
) -> list[QuoteRow]:
    may_use = set(studies_for_user(user, Capability.USE_QUOTES).values_list("pk", flat=True))
    rows = []
    for quote in quotes:
        attribution = selectors.attribution(quote.visit.household)
        form = bound[1] if bound and bound[0] == quote.pk else None
        rows.append(
            QuoteRow(
                quote=quote,
                attribution=attribution,
                copy_text=f"{quote.text} — {attribution}",
                can_record=quote.visit.round.study_id in may_use,
                form=form or QuoteUseForm(prefix=f"use-{quote.pk}"),
            )
        )
    return rows


@dataclass
class QuotePage:
    number: int
    size: int = QUOTES_PER_PAGE
    has_next: bool = False
    shown: int = 0

    @classmethod
    def of(cls, request: HttpRequest) -> "QuotePage":
        try:
            return cls(number=max(1, int(request.GET.get("page", "1"))))
        except ValueError:
            return cls(number=1)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        return self.offset + 1

    @property
    def last(self) -> int:
        return self.offset + self.shown

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _quotes_page(
    request: HttpRequest,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    bound: tuple[uuid.UUID, QuoteUseForm] | None = None,
) -> HttpResponse:
    options = FilterOptions.for_user(request.user)
    form = QuoteFilterForm(None if bound else request.GET, options=options)
    chosen = form.chosen()
    bank = selectors.quote_bank(
        user=request.user,
        filters=selectors.QuoteFilters(
            study_id=chosen.get("study"),
            round_id=chosen.get("round"),
            tag_id=chosen.get("tag"),
            segment=chosen.get("segment", ""),
            text=chosen.get("text", ""),
        ),
    )
    if bound:
        # A refused use shows that one quote again, its form with the messages.
        page = None
        quotes = selectors.quote_bank_page(bank.filter(pk=bound[0]))
    else:
        page = QuotePage.of(request)
        # One row more than a page says whether there is a next one, without counting the
        # whole bank: a count costs more than the page itself once the bank is large.
        quotes = list(selectors.quote_bank_page(bank[page.offset : page.offset + page.size + 1]))
        page.has_next = len(quotes) > page.size
        quotes = quotes[: page.size]
        page.shown = len(quotes)
    query = filter_query(chosen)
    context = {
        "filter_form": form,
        "filtered": bool(chosen),
        "many_studies": len(options.studies) > 1,
        "rows": _quote_rows(request.user, quotes, bound=bound),
        "page": page,
        "query": query,
        "exports": {
            kind: f"{path}?{query}" if query else path for kind, path in QUOTE_EXPORTS.items()
        },
        "marketing_board": Board.objects.filter(kind=BoardKind.MARKETING).order_by("name").first(),
        "errors": errors or [],
        "focused": bool(bound),
        # Where a recorded use returns to: this page as filtered, or the one the refused
        # form came from.
        "back": back_to(request, reverse("frontend:quotes")) if bound else request.get_full_path(),
    }
    if form.errors and status == 200:
        status = 400
    return render(request, "frontend/quotes.html", context, status=status)


@require_GET
@login_required
def quote_bank(request: HttpRequest) -> HttpResponse:
    return _quotes_page(request)


@require_POST
@login_required
def quote_use(request: HttpRequest, observation_id: uuid.UUID) -> HttpResponse:
    try:
        quote = access.quote_get_for_use(user=request.user, quote_id=observation_id)
    except access.QuoteNotInBank as error:
        return _quotes_page(request, status=409, errors=messages_of(error))
    form = QuoteUseForm(request.POST, prefix=f"use-{quote.pk}")
    if not form.is_valid():
        return _quotes_page(request, status=400, bound=(quote.pk, form))
    try:
        use = quote_services.quote_use_record(
            quote=quote,
            actor=request.user,
            campaign=form.cleaned_data["campaign"],
            link=form.cleaned_data["link"],
            used_on=form.cleaned_data["used_on"],
        )
    except ValidationError as error:
        form.add_service_error(error)
        return _quotes_page(request, status=status_for(error), bound=(quote.pk, form))
    messages.success(
        request, _("Recorded: the quote was used in “%(campaign)s”.") % {"campaign": use.campaign}
    )
    return redirect(back_to(request, reverse("frontend:quotes")))
