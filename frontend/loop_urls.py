"""Pages that close the loop: trends, loop health, pressure tests, round reports, digests."""

from django.urls import path

from frontend.loop import digest, health, pressure, report, trends

urlpatterns: list = [
    path(
        "insights/<uuid:insight_id>/pressure-test/",
        pressure.pressure_test_open,
        name="insight-pressure-open",
    ),
    path(
        "insights/<uuid:insight_id>/pressure-test/reviews/",
        pressure.pressure_review_submit,
        name="insight-pressure-review",
    ),
    path(
        "insights/<uuid:insight_id>/pressure-test/reviews/mine/",
        pressure.pressure_review_change,
        name="insight-pressure-review-change",
    ),
    path("account/digest/", digest.digest_settings, name="digest-settings"),
    path("digest/off/<str:token>/", digest.digest_off, name="digest-off"),
    path("studies/<uuid:study_id>/loop-health/", health.loop_health_page, name="loop-health"),
    path("studies/<uuid:study_id>/trends/", trends.trends, name="trends"),
    path("rounds/<uuid:round_id>/report/", report.round_report_page, name="round-report"),
    path(
        "studies/<uuid:study_id>/trends/evidence/",
        trends.trends_evidence,
        name="trends-evidence",
    ),
]
