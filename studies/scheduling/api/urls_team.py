"""/api/v1/ routes of the research lead's team work: invitations by e-mail."""

from django.urls import path

from studies.scheduling.api.views import team

urlpatterns = [
    path(
        "studies/<uuid:study_id>/invitations/",
        team.StudyInvitationListApi.as_view(),
        name="api-study-invitations",
    ),
    path(
        "studies/<uuid:study_id>/invitations/<uuid:invitation_id>/",
        team.StudyInvitationDetailApi.as_view(),
        name="api-study-invitation",
    ),
    path("invitations/accept/", team.InvitationAcceptApi.as_view(), name="api-invitation-accept"),
]
