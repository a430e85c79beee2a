"""/api/v1/ routes of consent and erasure."""

from django.urls import path

from studies.privacy.api import views

urlpatterns = [
    path(
        "households/<uuid:household_id>/consents/",
        views.HouseholdConsentListApi.as_view(),
        name="api-household-consents",
    ),
    path(
        "households/<uuid:household_id>/erase/",
        views.HouseholdEraseApi.as_view(),
        name="api-household-erase",
    ),
    path(
        "consents/<uuid:consent_id>/withdraw/",
        views.ConsentWithdrawApi.as_view(),
        name="api-consent-withdraw",
    ),
]
