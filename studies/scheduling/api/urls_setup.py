"""/api/v1/ routes of the research lead's setup work."""

from django.urls import URLPattern, path

from studies.scheduling.api.views.guide import StudyGuideApi

urlpatterns: list[URLPattern] = [
    path("studies/<uuid:study_id>/guide/", StudyGuideApi.as_view(), name="api-study-guide"),
]
