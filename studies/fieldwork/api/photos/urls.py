"""/api/v1/ routes for photos: resumable uploads and the photos they make."""

from django.urls import path

from studies.fieldwork.api.photos import views

urlpatterns = [
    path("uploads/", views.UploadCreateApi.as_view(), name="api-uploads"),
    path("uploads/<uuid:upload_id>/", views.UploadDetailApi.as_view(), name="api-upload"),
    path("photos/<uuid:photo_id>/", views.PhotoDetailApi.as_view(), name="api-photo"),
    path(
        "visits/<uuid:visit_id>/photos/",
        views.VisitPhotoListApi.as_view(),
        name="api-visit-photos",
    ),
]
