"""Routes of the research lead's staffing and routing pages."""

from django.urls import URLPattern, path

from frontend.setup_pages import routing, staffing

STAFFING = "studies/<uuid:study_id>/staffing/"
ROUTING = "studies/<uuid:study_id>/routing/"

urlpatterns: list[URLPattern] = [
    path(STAFFING, staffing.staffing_page, name="staffing"),
    path(
        f"{STAFFING}visits/<uuid:visit_id>/move/",
        staffing.visit_move,
        name="staffing-visit-move",
    ),
    path(
        f"{STAFFING}visits/<uuid:visit_id>/skip/",
        staffing.visit_skip,
        name="staffing-visit-skip",
    ),
    path(f"{STAFFING}add/", staffing.household_add, name="staffing-add"),
    path(f"{STAFFING}reassign/", staffing.visits_reassign, name="staffing-reassign"),
    path(ROUTING, routing.routing_page, name="study-routing"),
    path(f"{ROUTING}rules/", routing.rule_add, name="study-routing-add"),
    path(
        f"{ROUTING}rules/<uuid:rule_id>/switch/", routing.rule_switch, name="study-routing-switch"
    ),
    path(
        f"{ROUTING}rules/<uuid:rule_id>/delete/", routing.rule_delete, name="study-routing-delete"
    ),
]
