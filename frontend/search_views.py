"""The search page: one box over observations, quotes, insights and photos of the user's
studies.

Thin: the form reads the query string, the search service does the rest. It works without
JavaScript (a GET form); filters that cannot be read re-render the page with the message
next to the field and a 400, never a 500.
"""

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from studies.common.models import User
from studies.scheduling.access import studies_for_user
from studies.synthesis.search import service
from studies.synthesis.search.types import SearchKind


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        required=False,
        strip=False,
        max_length=service.MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_('Use "quotes" for a phrase, or between alternatives, -word to leave out.'),
    )
    kind = forms.MultipleChoiceField(
        label=_("Show"),
        required=False,
        choices=SearchKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    study = forms.TypedChoiceField(
        label=_("Study"), required=False, coerce=uuid.UUID, empty_value=None
    )
    # Read from the pages' links; never shown, so a new search starts on page one.
    page = forms.IntegerField(required=False, min_value=1, max_value=service.MAX_PAGE)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        studies = studies_for_user(user).order_by("title", "pk").values_list("pk", "title")
        self.fields["study"].choices = [
            ("", _("All my studies")),
            *((str(pk), title) for pk, title in studies),
        ]


@require_GET
@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.copy()
    if not query.getlist("kind"):
        # No box ticked reads as "everything", so the page shows every box ticked.
        query.setlist("kind", SearchKind.values)
    form = SearchForm(query, user=request.user)
    if not form.is_valid():
        return render(request, "frontend/search.html", {"form": form}, status=400)
    data = form.cleaned_data
    page = service.search(
        user=request.user,
        query=data["q"],
        kinds=data["kind"],
        study_id=data["study"],
        page=data["page"] or 1,
    )
    context = {"form": form, "query": data["q"].strip(), "results": page}
    return render(request, "frontend/search.html", context)
