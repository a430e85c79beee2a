"""/api/v1/ routes of the research lead's staffing work."""

from django.urls import URLPattern, path

from studies.scheduling.api.views import staffing

urlpatterns: list[URLPattern] = [
    path(
        "studies/<uuid:study_id>/staffing/",
        staffing.StudyStaffingApi.as_view(),
        name="api-study-staffing",
    ),
    path(
        "studies/<uuid:study_id>/staffing/reassign/",
        staffing.StudyStaffingReassignApi.as_view(),
        name="api-study-staffing-reassign",
    ),
]
