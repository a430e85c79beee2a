"""/api/v1/ routes of the accounts app."""

from django.urls import path

from studies.accounts.api import views

urlpatterns = [
    path("me/tokens/", views.MyApiTokenListApi.as_view(), name="api-my-tokens"),
    path(
        "me/tokens/<uuid:token_id>/revoke/",
        views.MyApiTokenRevokeApi.as_view(),
        name="api-my-token-revoke",
    ),
]
