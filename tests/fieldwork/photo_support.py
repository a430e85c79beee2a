"""What the photo tests share: photos as phones make them (GPS, orientation), files that
must be refused, a visit to upload to, and a client that speaks the upload protocol.

Imported by the test modules (not a conftest.py: the sync tests in this folder keep their
own fixtures).
"""

import datetime as dt
import hashlib
import io
import random
import struct
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter
from rest_framework.test import APIClient

from studies.common.models import User
from studies.scheduling.models import Visit
from tests.conftest import Team, enrol_consenting
from tests.factories import RoundFactory, VisitFactory

UPLOADS = "/api/v1/uploads/"
CHUNK_TYPE = "application/offset+octet-stream"

ORIENTATION = 0x0112
GPS_IFD = 0x8825
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="51,30.0N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
RED, BLUE = (220, 30, 30), (30, 30, 220)


# --- Photos as phones make them -------------------------------------------------------------


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2027:01:12 09:30:00"  # DateTime
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {
        1: "N",
        2: (51.0, 30.0, 26.0),
        3: "W",
        4: (0.0, 7.0, 39.0),
    }
    return exif


def two_halves(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """Left half red, right half blue: after a quarter turn the halves say which way."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def jpeg_bytes(
    size: tuple[int, int] = (400, 300),
    *,
    orientation: int | None = 6,
    gps: bool = True,
    xmp: bool = True,
    quality: int = 90,
) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, Any] = {"quality": quality}
    if gps:
        options["exif"] = gps_exif(orientation).tobytes()
    if xmp:
        options["xmp"] = XMP
    two_halves(size).save(buffer, "JPEG", **options)
    return buffer.getvalue()


TWELVE_MEGAPIXELS = (4000, 3000)


def realistic_photo(seed: int = 2026, size: tuple[int, int] = TWELVE_MEGAPIXELS) -> bytes:
    """A JPEG that compresses like a photo of a kitchen, not like a flat colour: light falling
    across the frame, shapes of things and their texture at several scales, soft edges and
    sensor grain. Seeded, so every run sends the same bytes. About 3.5 MB at 12 megapixels,
    as a phone's camera writes it."""
    rng = random.Random(seed)
    width, height = size

    def noise(scale: int) -> Image.Image:
        small = (max(1, width // scale), max(1, height // scale))
        pixels = Image.frombytes("L", small, rng.randbytes(small[0] * small[1]))
        return pixels.resize(size, Image.Resampling.BICUBIC)

    def texture() -> Image.Image:
        return Image.merge("RGB", [Image.blend(noise(96), noise(12), 0.45) for _ in range(3)])

    light = Image.merge(
        "RGB",
        [Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize(size) for _ in range(3)],
    )
    image = Image.blend(light, texture(), 0.55)
    # Things in the room: soft-edged shapes the texture shows through.
    things = image.copy()
    draw = ImageDraw.Draw(things)
    for _ in range(60):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(80, 900), rng.randrange(80, 900)
        colour = tuple(rng.randrange(40, 220) for _ in range(3))
        shape = draw.rectangle if rng.random() < 0.5 else draw.ellipse
        shape((x, y, x + w, y + h), fill=colour)
    image = Image.blend(image, things, 0.6)
    image = Image.blend(image, texture(), 0.3).filter(ImageFilter.GaussianBlur(1.2))
    grain = Image.merge("RGB", [Image.frombytes("L", size, rng.randbytes(width * height))] * 3)
    image = Image.blend(image, grain, 0.06)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def heic_bytes(size: tuple[int, int] = (400, 300), *, orientation: int = 6) -> bytes:
    buffer = io.BytesIO()
    two_halves(size).save(buffer, "HEIF", exif=gps_exif(orientation).tobytes(), quality=90)
    return buffer.getvalue()


def encoded(image_format: str, size: tuple[int, int] = (64, 48), **options: Any) -> bytes:
    buffer = io.BytesIO()
    two_halves(size).save(buffer, image_format, **options)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    checksum = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return struct.pack(">I", len(data)) + kind + data + checksum


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that announces `width`×`height` and holds almost nothing: a few bytes that
    would decode to gigabytes, or to a shape no camera makes."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def png_with_pixels(idat: bytes, size: int = 64) -> bytes:
    """A well-formed 8-bit RGB PNG whose compressed pixel data is `idat`, as given."""
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "not a photo")
    return buffer.getvalue()


def html_in_comment(photo: bytes) -> bytes:
    """A JPEG with a page of HTML in a comment segment: valid image, valid page."""
    page = b"<html><body><script>alert(1)</script></body></html>"
    segment = b"\xff\xfe" + struct.pack(">H", len(page) + 2) + page
    return photo[:2] + segment + photo[2:]


def bad_files() -> dict[str, bytes]:
    """Each file an upload must refuse, by what is wrong with it."""
    photo = jpeg_bytes()
    return {
        "decompression bomb": png_header_only(30_000, 30_000),
        "bomb within the side limit": png_header_only(12_000, 12_000),
        "absurd dimensions": png_header_only(1, 19_000),
        "truncated JPEG": photo[: len(photo) * 2 // 3],
        "text named .jpg": b"Dear diary, this is not a photo.\n" * 20,
        "JPEG with a ZIP appended": photo + zip_bytes(),
        "JPEG with HTML appended": photo + b"<html><script>alert(1)</script></html>",
        "JPEG with HTML inside": html_in_comment(photo),
        "GIF": encoded("GIF"),
        "BMP": encoded("BMP"),
        "TIFF": encoded("TIFF"),
    }


# --- What the pipeline wrote ----------------------------------------------------------------


def stored_files(media_root: Path) -> list[str]:
    return sorted(
        str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file()
    )


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """An empty media folder of the test's own, so what is stored can be listed."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


# --- A visit to upload to -------------------------------------------------------------------


@dataclass
class Visits:
    mine: Visit  # the researcher's visit, under way
    other: Visit  # researcher2's visit in the same study
    elsewhere: Visit  # a visit of the outsider's study


@pytest.fixture
def visits(team: Team) -> Visits:
    today = timezone.now().date()
    round_ = RoundFactory(
        study=team.study,
        window_start=today - dt.timedelta(days=30),
        window_end=today + dt.timedelta(days=30),
    )
    households = enrol_consenting(team.study, 2)
    start = timezone.now() - dt.timedelta(hours=1)
    times = {"scheduled_start": start, "scheduled_end": start + dt.timedelta(minutes=90)}
    mine = VisitFactory(
        round=round_,
        household=households[0],
        researcher=team.researcher,
        status="in_progress",
        started_at=start,
        **times,
    )
    other = VisitFactory(
        round=round_, household=households[1], researcher=team.researcher2, **times
    )
    elsewhere = VisitFactory(
        round=RoundFactory(study=team.outsider.memberships.get().study), **times
    )
    return Visits(mine=mine, other=other, elsewhere=elsewhere)


# --- The upload protocol, as the app speaks it ----------------------------------------------


class Uploader:
    """A signed-in device sending photos through the resumable upload API."""

    def __init__(self, user: User) -> None:
        self.client = APIClient()
        self.client.force_authenticate(user)

    def create(self, visit: Visit, data: bytes, **overrides: Any) -> Any:
        body = {
            "device_id": str(uuid.uuid4()),
            "visit": str(visit.pk),
            "length": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "caption": "Leftovers in takeaway tubs",
            "captured_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
            "observation": None,
            **overrides,
        }
        return self.client.post(UPLOADS, body, format="json")

    def send(self, upload_id: object, chunk: bytes, offset: int) -> Any:
        return self.client.patch(
            f"{UPLOADS}{upload_id}/",
            chunk,
            content_type=CHUNK_TYPE,
            headers={"Upload-Offset": str(offset)},
        )

    def head(self, upload_id: object) -> Any:
        return self.client.head(f"{UPLOADS}{upload_id}/")

    def upload(self, visit: Visit, data: bytes, chunk_size: int = 64 * 1024, **overrides: Any):
        """Create and send every chunk; the last response."""
        created = self.create(visit, data, **overrides)
        assert created.status_code in {200, 201}, created.json()
        upload_id, offset = created.json()["id"], created.json()["offset"]
        response = created
        while offset < len(data):
            response = self.send(upload_id, data[offset : offset + chunk_size], offset)
            if response.status_code != 200:
                return response
            offset = response.json()["offset"]
        return response


@pytest.fixture
def photo() -> bytes:
    """A photo as the phone sends it once scaled: a 1200×900 JPEG."""
    return jpeg_bytes((1200, 900))


@pytest.fixture
def uploader(team: Team) -> Uploader:
    """The uploads API as the team's researcher."""
    return Uploader(team.researcher)
