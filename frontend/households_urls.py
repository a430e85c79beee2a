from django.urls import path

from frontend import households

HOUSEHOLD = "studies/<uuid:study_id>/households/<uuid:household_id>/"

urlpatterns = [
    path(HOUSEHOLD, households.household_detail, name="household"),
    path(f"{HOUSEHOLD}consents/", households.household_consent, name="household-consent"),
    path(
        f"{HOUSEHOLD}consents/<uuid:consent_id>/withdraw/",
        households.consent_withdraw,
        name="household-consent-withdraw",
    ),
    path(f"{HOUSEHOLD}erase/", households.household_erase, name="household-erase"),
]
