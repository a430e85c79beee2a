"""/api/v1/ routes of the scheduling app. Objects are named by UUID, team members by username."""

from django.urls import path

from studies.scheduling.api import urls_panel, urls_setup, urls_staffing, urls_team, views

urlpatterns = [
    path("studies/", views.StudyListApi.as_view(), name="api-studies"),
    path("studies/<uuid:study_id>/", views.StudyDetailApi.as_view(), name="api-study"),
    path(
        "studies/<uuid:study_id>/members/",
        views.StudyMemberListApi.as_view(),
        name="api-study-members",
    ),
    path(
        "studies/<uuid:study_id>/members/<str:username>/",
        views.StudyMemberDetailApi.as_view(),
        name="api-study-member",
    ),
    path(
        "studies/<uuid:study_id>/plan-next-round/",
        views.StudyPlanNextRoundApi.as_view(),
        name="api-study-plan-next-round",
    ),
    path(
        "studies/<uuid:study_id>/enrolments/",
        views.StudyEnrolmentApi.as_view(),
        name="api-study-enrolments",
    ),
    path("households/", views.HouseholdListApi.as_view(), name="api-households"),
    path(
        "households/<uuid:household_id>/",
        views.HouseholdDetailApi.as_view(),
        name="api-household",
    ),
    path("rounds/", views.RoundListApi.as_view(), name="api-rounds"),
    path("rounds/<uuid:round_id>/", views.RoundDetailApi.as_view(), name="api-round"),
    path("visits/", views.VisitListApi.as_view(), name="api-visits"),
    path("visits/<uuid:visit_id>/", views.VisitDetailApi.as_view(), name="api-visit"),
    path(
        "visits/<uuid:visit_id>/reschedule/",
        views.VisitRescheduleApi.as_view(),
        name="api-visit-reschedule",
    ),
    path(
        "visits/<uuid:visit_id>/transition/",
        views.VisitTransitionApi.as_view(),
        name="api-visit-transition",
    ),
    path("me/availability/", views.MyAvailabilityApi.as_view(), name="api-my-availability"),
    path("me/calendar-feed/", views.MyCalendarFeedApi.as_view(), name="api-my-calendar-feed"),
    *urls_setup.urlpatterns,
    *urls_panel.urlpatterns,
    *urls_team.urlpatterns,
    *urls_staffing.urlpatterns,
]
