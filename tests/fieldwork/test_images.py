"""The image gate and renditions (studies/fieldwork/images.py), without a database."""

import io

import pytest
from PIL import Image

from studies.fieldwork import images
from tests.fieldwork.photo_support import (
    BLUE,
    GPS_IFD,
    RED,
    bad_files,
    encoded,
    heic_bytes,
    jpeg_bytes,
    png_header_only,
    png_with_pixels,
)

MAX_PIXELS = 50_000_000


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close_to(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel[:3], colour, strict=True))


def assert_no_metadata(data: bytes) -> None:
    image = opened(data)
    assert not image.getexif(), f"EXIF left in {image.format}"
    assert "exif" not in image.info
    assert "xmp" not in image.info
    assert "XML:com.adobe.xmp" not in image.info
    assert "icc_profile" not in image.info or not image.info["icc_profile"]
    # Belt and braces: the raw bytes carry no EXIF block, GPS directory or XMP packet.
    assert b"Exif\x00\x00" not in data
    assert b"xmpmeta" not in data
    assert b"PhoneMaker" not in data


@pytest.mark.parametrize(
    ("source", "expected_format"),
    [(jpeg_bytes, "JPEG"), (heic_bytes, "HEIF")],
    ids=["jpeg", "heic"],
)
def test_gps_tagged_photos_come_out_without_any_metadata_and_upright(source, expected_format):
    data = source((400, 300), orientation=6)
    # Given a phone's photo: GPS block, maker tags, stored sideways (orientation 6)
    with Image.open(io.BytesIO(data)) as original:
        assert original.format == expected_format
        assert dict(original.getexif().get_ifd(GPS_IFD))[1] == "N"

    renditions = images.render(data, max_pixels=MAX_PIXELS)

    assert set(renditions.files) == set(images.RENDITION_FILES)
    for content in renditions.files.values():
        assert_no_metadata(content)
    # A quarter turn clockwise: 400×300 stored becomes 300×400, the left (red) half on top.
    assert (renditions.width, renditions.height) == (300, 400)
    upright = opened(renditions.files["original.jpg"])
    assert upright.size == (300, 400)
    assert close_to(upright.getpixel((150, 60)), RED)
    assert close_to(upright.getpixel((150, 340)), BLUE)


def test_renditions_are_webp_and_jpeg_at_1600_and_400_px():
    renditions = images.render(jpeg_bytes((2400, 1800), orientation=1), max_pixels=MAX_PIXELS)

    formats_and_sizes = {
        name: (opened(content).format, opened(content).size)
        for name, content in renditions.files.items()
    }
    assert formats_and_sizes == {
        "original.jpg": ("JPEG", (2400, 1800)),
        "web.webp": ("WEBP", (1600, 1200)),
        "web.jpg": ("JPEG", (1600, 1200)),
        "thumb.webp": ("WEBP", (400, 300)),
        "thumb.jpg": ("JPEG", (400, 300)),
    }


def test_a_small_photo_is_never_enlarged():
    renditions = images.render(jpeg_bytes((320, 240), orientation=1), max_pixels=MAX_PIXELS)

    assert opened(renditions.files["web.webp"]).size == (320, 240)
    assert opened(renditions.files["thumb.jpg"]).size == (320, 240)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_transparency_is_flattened_onto_white(image_format):
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste((10, 120, 10, 255), (0, 0, 100, 100))
    buffer = io.BytesIO()
    image.save(buffer, image_format, **({"lossless": True} if image_format == "WEBP" else {}))

    renditions = images.render(buffer.getvalue(), max_pixels=MAX_PIXELS)

    clean = opened(renditions.files["original.jpg"])
    assert clean.mode == "RGB"
    assert close_to(clean.getpixel((50, 50)), (10, 120, 10))
    assert close_to(clean.getpixel((150, 50)), (255, 255, 255))


@pytest.mark.parametrize("profile", ["sRGB", "LAB"])
def test_no_colour_profile_reaches_the_outputs(profile):
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile(profile)).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 40)).save(buffer, "JPEG", icc_profile=icc)

    renditions = images.render(buffer.getvalue(), max_pixels=MAX_PIXELS)

    for content in renditions.files.values():
        assert not opened(content).info.get("icc_profile")
    assert close_to(opened(renditions.files["original.jpg"]).getpixel((5, 5)), (200, 120, 40))


@pytest.mark.parametrize(("name", "data"), list(bad_files().items()), ids=list(bad_files()))
def test_it_refuses_what_is_not_a_plain_photo(name, data):
    with pytest.raises(images.ImageRejectedError) as refused:
        images.inspect(data, max_pixels=MAX_PIXELS)

    assert str(refused.value.message)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (png_header_only(30_000, 30_000), "too many pixels"),
        (png_header_only(1, 19_000), "not those of a photo"),
        (bad_files()["truncated JPEG"], "incomplete"),
        (b"just text" * 100, "not a photo"),
        (jpeg_bytes() + b"PK\x03\x04" + b"\x00" * 40, "data after the end"),
        (encoded("GIF"), "GIF images are not accepted"),
        (encoded("TIFF"), "TIFF images are not accepted"),
        (encoded("PNG") + b"<html></html>", "also another kind of document"),
    ],
    ids=["bomb", "absurd", "truncated", "text", "appended", "gif", "tiff", "html"],
)
def test_each_refusal_says_what_is_wrong(data, words):
    with pytest.raises(images.ImageRejectedError, match=words):
        images.inspect(data, max_pixels=MAX_PIXELS)


def test_the_pixel_limit_is_the_one_given_not_pillows():
    data = jpeg_bytes((1200, 1000), orientation=1)

    assert images.inspect(data, max_pixels=1_200_000).width == 1200
    with pytest.raises(images.ImageRejectedError, match="too many pixels"):
        images.inspect(data, max_pixels=1_199_999)


def test_pixels_are_never_decoded_by_a_decoder_the_magic_bytes_did_not_choose(monkeypatch):
    opened_with: list[object] = []
    real_open = Image.open

    def spy(fp, mode="r", formats=None):
        opened_with.append(formats)
        return real_open(fp, mode, formats)

    monkeypatch.setattr(Image, "open", spy)
    images.render(encoded("PNG"), max_pixels=MAX_PIXELS)

    assert opened_with
    assert all(formats == ["PNG"] for formats in opened_with)


def test_phone_trailers_after_the_image_are_accepted():
    photo = jpeg_bytes(orientation=1)
    # An HDR gain map or depth map: a second JPEG right after the first.
    with_gain_map = photo + jpeg_bytes((100, 75), orientation=1, gps=False, xmp=False)
    # Samsung's SEF block: records, an SEFH header, its size and "SEFT".
    header = b"SEFH" + b"\x00" * 12
    samsung = photo + b"Image_UTC_Data1700000000000" + header + len(header).to_bytes(4, "little")
    samsung += b"SEFT"

    assert images.inspect(with_gain_map, max_pixels=MAX_PIXELS).format == "JPEG"
    assert images.inspect(samsung, max_pixels=MAX_PIXELS).format == "JPEG"


def test_damaged_pixel_data_that_passes_the_gate_fails_to_render_with_a_reason():
    # The structure and header are sound; the compressed pixels are noise.
    damaged = png_with_pixels(b"\x8f\x02" * 512)
    assert images.inspect(damaged, max_pixels=MAX_PIXELS).format == "PNG"

    with pytest.raises(images.ImageRejectedError, match="damaged"):
        images.render(damaged, max_pixels=MAX_PIXELS)
