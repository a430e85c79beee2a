"""The round report: one page a lead sends round, printable or saved as a PDF."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from frontend.loop.trends import change_sets
from frontend.refusals import messages_of
from studies.loop.selectors.report import RoundNotVisited, round_report
from studies.scheduling import access
from studies.synthesis.selectors import attribution


@require_GET
@login_required
def round_report_page(request: HttpRequest, round_id: object) -> HttpResponse:
    round_ = access.round_get_for_user(user=request.user, round_id=round_id)
    try:
        report = round_report(round_=round_)
    except RoundNotVisited as refusal:
        context = {"round": round_, "study": round_.study, "refusals": messages_of(refusal)}
        return render(request, "frontend/round_report.html", context, status=409)
    for item in report.insights:
        for quote in item.quotes:
            quote.attribution = attribution(quote.visit.household)
    changes = next(
        (one for one in change_sets(round_.study, report.trends, "") if one.column.round == round_),
        None,
    )
    context = {"round": round_, "study": round_.study, "report": report, "changes": changes}
    return render(request, "frontend/round_report.html", context)
