"""/api/v1/ routes for capture: sync, observations, tags and the offline bundle."""

from django.urls import path

from studies.fieldwork.api.observations import views

urlpatterns = [
    path("sync/", views.SyncApi.as_view(), name="api-sync"),
    path(
        "visits/<uuid:visit_id>/observations/",
        views.VisitObservationListApi.as_view(),
        name="api-visit-observations",
    ),
    path("studies/<uuid:study_id>/tags/", views.StudyTagListApi.as_view(), name="api-study-tags"),
    path("me/offline-bundle/", views.MyOfflineBundleApi.as_view(), name="api-my-offline-bundle"),
]
