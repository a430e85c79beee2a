"""Photo bytes in, clean renditions out: the only place ResearchHub runs image decoders.

`inspect` is the cheap gate an upload passes before anything is stored: the content's
magic bytes pick the one decoder allowed to read it (`Image.open(formats=[...])`), the
header must agree with them, the dimensions must be sane, and the file's own structure
must end where its format says it ends, so a truncated file or one with a payload
appended (a ZIP, a page of HTML) is refused before it reaches a worker.

`render` decodes once and derives everything from that one decode: the clean original
(orientation applied, every piece of metadata gone: EXIF with its GPS block, XMP, IPTC,
comments, colour profiles after conversion to sRGB), the 1600 px web size and the 400 px
thumbnail, each as WebP with a JPEG fallback.
"""

import io
import re
import warnings
from dataclasses import dataclass

import pillow_heif
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

pillow_heif.register_heif_opener()

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Pillow reads a JPEG carrying a multi-picture index (phones add depth maps and HDR gain
# maps this way) as MPO; it is still a JPEG whose first frame is the photo.
DECODED_AS = {"JPEG": {"JPEG", "MPO"}, "PNG": {"PNG"}, "WEBP": {"WEBP"}, "HEIF": {"HEIF"}}

WEB_SIDE = 1600
THUMB_SIDE = 400
ORIGINAL_JPEG_QUALITY = 88
RENDITION_JPEG_QUALITY = 84
WEB_WEBP_QUALITY = 80
THUMB_WEBP_QUALITY = 76

# Beyond these a "photo" is not one: a 1×60000 strip passes any pixel budget but is a
# crafted file, not something a phone's camera makes (panoramas stay well within 1:12).
MAX_SIDE = 20_000
MAX_ASPECT_RATIO = 16

# The brands of an ISO base media file that hold a HEIF still image (HEIC from phones).
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2"}

# Markup a browser or an interpreter would act on, anywhere in the file. XMP packets use
# namespaced tags (<x:xmpmeta>, <rdf:RDF>) and never match.
_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|form|\?php)[\s>/]",
    re.IGNORECASE,
)
# In entropy-coded JPEG data an 0xFF byte is either stuffed (FF 00), a restart marker
# (FF D0-D7) or fill before a marker; anything else is the next marker.
_JPEG_MARKER_IN_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_BOX_TYPE = re.compile(rb"[A-Za-z0-9 ]{4}")


class ImageRejectedError(Exception):
    """The bytes are not a photo ResearchHub accepts; the message says why, for the user."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ImageInfo:
    format: str  # one of ALLOWED_FORMATS
    width: int  # as stored, before orientation is applied
    height: int


@dataclass(frozen=True)
class Renditions:
    width: int  # of the clean original, orientation applied
    height: int
    files: dict[str, bytes]  # "original.jpg", "web.webp", "web.jpg", "thumb.webp", "thumb.jpg"


RENDITION_FILES = ("original.jpg", "web.webp", "web.jpg", "thumb.webp", "thumb.jpg")


# --- Recognising the format from the bytes --------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The allowed format the content's magic bytes announce, whatever the file was named."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "HEIF"
    return None


def _describe(data: bytes) -> str | None:
    """A name for content that is an image of a kind we refuse, for a clearer message."""
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data.startswith(b"BM"):
        return "BMP"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if data[4:8] == b"ftyp" and data[8:12] in {b"avif", b"avis"}:
        return "AVIF"
    return None


# --- Where each format says the file ends ---------------------------------------------------


def _truncated() -> ImageRejectedError:
    return ImageRejectedError(_("The image file is incomplete (truncated). Send it again."))


def _appended() -> ImageRejectedError:
    return ImageRejectedError(
        _("The file carries data after the end of the image. Only plain photos are accepted.")
    )


def _jpeg_end(data: bytes, start: int = 0) -> int:
    """The offset just past the EOI marker of the JPEG starting at `start`."""
    size = len(data)
    position = start + 2  # past SOI
    while True:
        if position >= size:
            raise _truncated()
        if data[position] != 0xFF:
            raise ImageRejectedError(_("The JPEG file is damaged."))
        while position < size and data[position] == 0xFF:
            position += 1
        if position >= size:
            raise _truncated()
        marker = data[position]
        position += 1
        if marker == 0xD9:  # EOI
            return position
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # standalone markers
            continue
        if position + 2 > size:
            raise _truncated()
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2:
            raise ImageRejectedError(_("The JPEG file is damaged."))
        position += length
        if position > size:
            raise _truncated()
        if marker == 0xDA:  # SOS: entropy-coded data runs until the next real marker
            found = _JPEG_MARKER_IN_SCAN.search(data, position)
            if found is None:
                raise _truncated()
            position = found.start()


def _is_samsung_trailer(trailer: bytes) -> bool:
    # Samsung cameras append an "SEF" block (capture time, shooting mode) after the image:
    # records, then an SEFH header, ending with the header's size and "SEFT".
    if len(trailer) < 12 or not trailer.endswith(b"SEFT"):
        return False
    header_size = int.from_bytes(trailer[-8:-4], "little")
    header_at = len(trailer) - 8 - header_size
    return header_at >= 0 and trailer[header_at : header_at + 4] == b"SEFH"


def _check_jpeg_structure(data: bytes) -> None:
    end = _jpeg_end(data)
    # Phones store further JPEGs right after the photo (depth maps, HDR gain maps, indexed
    # by its multi-picture header); a few pad with fill bytes. Anything else is a payload.
    for _image in range(8):
        if not data.startswith(b"\xff\xd8\xff", end):
            break
        end = _jpeg_end(data, end)
    trailer = data[end:]
    if trailer.strip(b"\x00\xff") and not _is_samsung_trailer(trailer):
        raise _appended()


def _check_png_structure(data: bytes) -> None:
    position, size = 8, len(data)
    while True:
        if position + 8 > size:
            raise _truncated()
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        position += 12 + length  # length, type, data, CRC
        if position > size:
            raise _truncated()
        if chunk_type == b"IEND":
            break
    if position != size:
        raise _appended()


def _check_webp_structure(data: bytes) -> None:
    if len(data) < 12:
        raise _truncated()
    declared = 8 + int.from_bytes(data[4:8], "little")
    declared += declared % 2  # RIFF pads odd chunks
    if declared > len(data):
        raise _truncated()
    if declared < len(data):
        raise _appended()


def _check_heif_structure(data: bytes) -> None:
    position, size = 0, len(data)
    seen: set[bytes] = set()
    while position < size:
        if position + 8 > size:
            raise _truncated()
        box_size = int.from_bytes(data[position : position + 4], "big")
        box_type = data[position + 4 : position + 8]
        if not _BOX_TYPE.fullmatch(box_type):
            raise _appended()
        if box_size == 1:  # a 64-bit size follows the type
            if position + 16 > size:
                raise _truncated()
            box_size = int.from_bytes(data[position + 8 : position + 16], "big")
        elif box_size == 0:  # runs to the end of the file
            box_size = size - position
        if box_size < 8:
            raise ImageRejectedError(_("The HEIF file is damaged."))
        position += box_size
        if position > size:
            raise _truncated()
        seen.add(box_type)
    if b"meta" not in seen:
        raise ImageRejectedError(_("The HEIF file holds no image."))


STRUCTURE_CHECKS = {
    "JPEG": _check_jpeg_structure,
    "PNG": _check_png_structure,
    "WEBP": _check_webp_structure,
    "HEIF": _check_heif_structure,
}


def _looks_like_zip(data: bytes) -> bool:
    # ZIP readers look for the end-of-central-directory record in the last 64 KiB, so a
    # ZIP appended to or hidden in a photo announces itself there.
    tail_start = max(0, len(data) - 65_557)
    position = data.rfind(b"PK\x05\x06", tail_start)
    return position >= 0 and data[position + 4 : position + 8] == b"\x00\x00\x00\x00"


# --- Decoding -------------------------------------------------------------------------------


def _open(data: bytes, image_format: str, *, max_pixels: int) -> Image.Image:
    """Open with the one decoder the magic bytes chose, with the pixel budget enforced."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice its limit: refuse outright.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[image_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(max_pixels) from exc
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError) as exc:
        raise ImageRejectedError(_("The file could not be read as an image.")) from exc
    if image.format not in DECODED_AS[image_format]:
        raise ImageRejectedError(_("The file's content does not match its image format."))
    _check_dimensions(*image.size, max_pixels=max_pixels)
    return image


def _too_many_pixels(max_pixels: int) -> ImageRejectedError:
    return ImageRejectedError(
        _("The image has too many pixels (at most %(limit)d megapixels are accepted).")
        % {"limit": max_pixels // 1_000_000}
    )


def _check_dimensions(width: int, height: int, *, max_pixels: int) -> None:
    if width < 1 or height < 1:
        raise ImageRejectedError(_("The image has no pixels."))
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels)
    if max(width, height) > MAX_SIDE or max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageRejectedError(
            _("The image's dimensions (%(width)d × %(height)d) are not those of a photo.")
            % {"width": width, "height": height}
        )


def inspect(data: bytes, *, max_pixels: int) -> ImageInfo:
    """Refuse anything but a whole, plain, reasonably sized photo in an allowed format.

    Reads headers and the file's structure only; pixels are decoded by `render`.
    """
    image_format = sniff(data)
    if image_format is None:
        refused = _describe(data)
        if refused:
            raise ImageRejectedError(
                _("%(format)s images are not accepted: send a JPEG, PNG, WebP or HEIC photo.")
                % {"format": refused}
            )
        raise ImageRejectedError(
            _("This file is not a photo: send a JPEG, PNG, WebP or HEIC image.")
        )
    if _looks_like_zip(data) or _MARKUP.search(data):
        raise ImageRejectedError(
            _("The file is also another kind of document. Only plain photos are accepted.")
        )
    STRUCTURE_CHECKS[image_format](data)
    with _open(data, image_format, max_pixels=max_pixels) as image:
        return ImageInfo(format=image_format, width=image.width, height=image.height)


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB pixels in sRGB, so the outputs need no colour profile to look right."""
    icc = image.info.get("icc_profile")
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info:
        image = image.convert("RGBA")
        # Transparency has no meaning in a photo; flatten onto white as a viewer would.
        flattened = Image.new("RGB", image.size, (255, 255, 255))
        flattened.paste(image, mask=image.getchannel("A"))
        image = flattened
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "srgb" not in ImageCms.getProfileDescription(source).lower():
                converted = ImageCms.profileToProfile(
                    image if image.mode in {"RGB", "CMYK", "L"} else image.convert("RGB"),
                    source,
                    ImageCms.createProfile("sRGB"),
                    outputMode="RGB",
                )
                if converted is not None:
                    image = converted
        except (OSError, ImageCms.PyCMSError, ValueError):
            pass  # a broken profile: keep the pixels as they are, as browsers do
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def _encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    # No exif=, icc_profile= or xmp=: nothing but pixels is written.
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def _shrunk(image: Image.Image, side: int) -> Image.Image:
    """The image fitted within side × side, never enlarged.

    Resizing straight from the source, rather than shrinking a copy of it, spares a full
    copy of a 12-megapixel image: the integer reduce() (box filter) runs first and takes
    it to within 2× of the target, then Lanczos does the rest.
    """
    width, height = image.size
    scale = side / max(width, height)
    if scale >= 1:
        return image.copy()
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.0)


def render(data: bytes, *, max_pixels: int) -> Renditions:
    """The clean original and the two renditions, from one decode of `data`."""
    info = inspect(data, max_pixels=max_pixels)
    image = _open(data, info.format, max_pixels=max_pixels)
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
        clean = _to_srgb(image)
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError) as exc:
        raise ImageRejectedError(_("The image data is damaged and cannot be decoded.")) from exc
    except MemoryError as exc:
        raise ImageRejectedError(_("The image is too large to process.")) from exc
    clean.info = {}
    web = _shrunk(clean, WEB_SIDE)
    # The thumbnail comes from the web size: a quarter of the work, the same result.
    thumb = _shrunk(web, THUMB_SIDE)
    files = {
        "original.jpg": _encode(clean, "JPEG", quality=ORIGINAL_JPEG_QUALITY),
        # Method 2 of 6: a third of the default's time for a file a few percent larger.
        "web.webp": _encode(web, "WEBP", quality=WEB_WEBP_QUALITY, method=2),
        "web.jpg": _encode(web, "JPEG", quality=RENDITION_JPEG_QUALITY, optimize=True),
        "thumb.webp": _encode(thumb, "WEBP", quality=THUMB_WEBP_QUALITY, method=4),
        "thumb.jpg": _encode(thumb, "JPEG", quality=RENDITION_JPEG_QUALITY, optimize=True),
    }
    return Renditions(width=clean.width, height=clean.height, files=files)
