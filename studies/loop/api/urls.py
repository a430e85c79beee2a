"""/api/v1/ routes for closing the loop: trends, loop health, pressure tests, digests."""

from django.urls import path

from studies.loop.api import digest, health, pressure, trends

urlpatterns: list = [
    path(
        "insights/<uuid:insight_id>/pressure-test/",
        pressure.InsightPressureTestApi.as_view(),
        name="api-insight-pressure-test",
    ),
    path(
        "insights/<uuid:insight_id>/pressure-test/reviews/",
        pressure.PressureReviewCreateApi.as_view(),
        name="api-insight-pressure-reviews",
    ),
    path(
        "insights/<uuid:insight_id>/pressure-test/reviews/mine/",
        pressure.PressureReviewMineApi.as_view(),
        name="api-insight-pressure-review-mine",
    ),
    path("me/digest/", digest.MyDigestApi.as_view(), name="api-me-digest"),
    path(
        "studies/<uuid:study_id>/loop-health/",
        health.StudyLoopHealthApi.as_view(),
        name="api-study-loop-health",
    ),
    path(
        "studies/<uuid:study_id>/trends/",
        trends.StudyTrendsApi.as_view(),
        name="api-study-trends",
    ),
]
