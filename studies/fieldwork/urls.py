"""Pages and files of the fieldwork app outside the API."""

from django.urls import path

from studies.fieldwork import views

urlpatterns = [
    path(
        "photos/<uuid:photo_id>/<slug:rendition>.<slug:extension>",
        views.photo_file,
        name="photo-file",
    ),
]
