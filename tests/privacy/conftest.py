"""The synthesis field (three households, quotes on the marketing board) and photos."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from studies.fieldwork.models import Photo, PhotoStatus
from studies.scheduling.models import Visit
from studies.synthesis.models import Insight
from studies.synthesis.services import insights
from tests.frontend.conftest import world  # noqa: F401  (the fixture, re-exported)
from tests.synthesis.conftest import Field, field  # noqa: F401  (the fixture, re-exported)

RENDITIONS = ("original", "web_webp", "web_jpeg", "thumb_webp", "thumb_jpeg")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_photo(visit: Visit, *, observation=None) -> Photo:
    """A processed photo with a small file behind every rendition."""
    photo = Photo.objects.create(
        visit=visit,
        observation=observation,
        author=visit.researcher,
        captured_at=timezone.now(),
        status=PhotoStatus.READY,
    )
    for field_name in RENDITIONS:
        name = default_storage.save(f"photos/{photo.pk}/{field_name}", ContentFile(b"jpeg"))
        setattr(photo, field_name, name)
    photo.save()
    return photo


@pytest.fixture
def quotable(field: Field) -> Insight:  # noqa: F811
    """Every household's quote and a note, on the marketing board (quote-worthy tag)."""
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement="Nobody knows what is in the freezer.",
        observation_ids=[quote.pk for quote in field.quotes] + [field.notes[0].pk],
        tag_ids=[field.quotable.pk, field.pain.pk],
    )
