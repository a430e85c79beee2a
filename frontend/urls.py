from django.contrib.auth import views as auth_views
from django.urls import path

from frontend import (
    boards_urls,
    field,
    households_urls,
    loop_urls,
    panel_urls,
    search_urls,
    setup_urls,
    staffing_urls,
    synthesis_urls,
    team_urls,
    tokens_urls,
    views,
)
from studies.common.lockout import SignInForm

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("studies/<uuid:study_id>/", views.study_detail, name="study"),
    path("studies/<uuid:study_id>/plan-next/", views.study_plan_next, name="study-plan-next"),
    path("rounds/<uuid:round_id>/", views.round_detail, name="round"),
    path("visits/<uuid:visit_id>/", views.visit_detail, name="visit"),
    path("visits/<uuid:visit_id>/edit/", views.visit_edit, name="visit-edit"),
    path("visits/<uuid:visit_id>/status/", views.visit_transition, name="visit-transition"),
    path("visits/<uuid:visit_id>/finish/", views.visit_finish, name="visit-finish"),
    path("today/", field.today, name="today"),
    path("visits/<uuid:visit_id>/capture/", field.visit_capture, name="visit-capture"),
    path("manifest.webmanifest", field.manifest, name="manifest"),
    # At the root so its scope can be the whole site.
    path("sw.js", field.service_worker, name="service-worker"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/new-link/", views.calendar_feed_renew, name="calendar-renew"),
    path("calendar/availability/", views.availability_update, name="availability"),
    *boards_urls.urlpatterns,
    *synthesis_urls.urlpatterns,
    *search_urls.urlpatterns,
    *tokens_urls.urlpatterns,
    *households_urls.urlpatterns,
    *loop_urls.urlpatterns,
    *setup_urls.urlpatterns,
    *panel_urls.urlpatterns,
    *team_urls.urlpatterns,
    *staffing_urls.urlpatterns,
]

# Sign-in and sign-out keep Django's un-namespaced names ("login", "logout") that
# LOGIN_URL and LOGOUT_REDIRECT_URL use, so researchhub/urls.py includes these on their own.
auth_urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="frontend/login.html",
            redirect_authenticated_user=True,
            authentication_form=SignInForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    *team_urls.auth_urlpatterns,
]
