"""Stopping an upload its researcher cancelled on the phone: DELETE /api/v1/uploads/<id>/."""

import pytest
from rest_framework.test import APIClient

from studies.fieldwork.models import Photo, PhotoUpload, UploadStatus
from tests.fieldwork.photo_support import (
    UPLOADS,
    media,
    photo,
    stored_files,
    uploader,
    visits,
)

__all__ = ["media", "photo", "uploader", "visits"]  # fixtures shared through photo_support

pytestmark = pytest.mark.django_db


def test_it_drops_a_partly_sent_upload_and_its_chunks(
    uploader, visits, photo, media, django_capture_on_commit_callbacks
):
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    uploader.send(upload_id, photo[:10_000], 0)
    assert stored_files(media)  # the first chunk

    with django_capture_on_commit_callbacks(execute=True):
        response = uploader.client.delete(f"{UPLOADS}{upload_id}/")

    assert response.status_code == 204
    assert not PhotoUpload.objects.exists()
    assert not Photo.objects.exists()
    assert stored_files(media) == []


def test_asking_again_answers_not_found(uploader, visits, photo, media):
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    uploader.client.delete(f"{UPLOADS}{upload_id}/")

    response = uploader.client.delete(f"{UPLOADS}{upload_id}/")

    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Not found."]}}


def test_a_complete_upload_is_kept_and_answers_with_its_photo(uploader, visits, photo, media):
    done = uploader.upload(visits.mine, photo)
    upload_id = done.json()["id"]

    response = uploader.client.delete(f"{UPLOADS}{upload_id}/")

    assert response.status_code == 409
    body = response.json()
    assert body["photo"]["id"] == str(Photo.objects.get().pk)
    assert body["errors"] == {
        "upload": ["This upload is complete and made its photo: delete the photo instead."]
    }
    assert PhotoUpload.objects.get().status == UploadStatus.COMPLETE


@pytest.mark.parametrize("persona", ["researcher2", "lead", "outsider"])
def test_nobody_but_its_author_may_stop_an_upload(team, uploader, visits, photo, media, persona):
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    uploader.send(upload_id, photo[:10_000], 0)
    other = APIClient()
    other.force_authenticate(getattr(team, persona))

    response = other.delete(f"{UPLOADS}{upload_id}/")

    assert response.status_code == 404
    assert PhotoUpload.objects.get().offset == 10_000


def test_anonymous_requests_are_refused(uploader, visits, photo, media):
    upload_id = uploader.create(visits.mine, photo).json()["id"]

    response = APIClient().delete(f"{UPLOADS}{upload_id}/")

    assert response.status_code in {401, 403}
    assert PhotoUpload.objects.exists()
