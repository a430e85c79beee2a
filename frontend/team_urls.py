"""Routes of the research lead's team pages, the invitation link and password reset."""

from django.urls import path

from frontend import invitations, password_reset
from frontend.setup_pages import team

TEAM = "studies/<uuid:study_id>/team/"

urlpatterns = [
    path(TEAM, team.team, name="team"),
    path(f"{TEAM}invite/", team.team_invite, name="team-invite"),
    path(f"{TEAM}members/<str:username>/role/", team.team_role, name="team-role"),
    path(f"{TEAM}members/<str:username>/remove/", team.team_remove, name="team-remove"),
    path(
        f"{TEAM}invitations/<uuid:invitation_id>/withdraw/",
        team.invitation_withdraw,
        name="team-invitation-withdraw",
    ),
    path(
        f"{TEAM}invitations/<uuid:invitation_id>/resend/",
        team.invitation_resend,
        name="team-invitation-resend",
    ),
    # Public: the link in the invitation e-mail.
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation-accept"),
]

# Django's own names, un-namespaced, as its password-reset views expect.
auth_urlpatterns = [
    path("password-reset/", password_reset.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        password_reset.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        password_reset.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
