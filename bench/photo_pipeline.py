"""A 12-megapixel phone JPEG through the photo pipeline, side by side with pyvips.

Both make the same five files from the same bytes: the clean original (orientation applied,
no metadata) as JPEG, and the 1600 px and 400 px renditions as WebP and JPEG. Target: ours
takes at most 0.8× pyvips' time. A worker's peak memory (resident set of a process that
loads Django and processes the photo) must stay under 250 MB. BENCH_REPEATS sets the timed
runs of each (default 7; bench/run.py's smoke run makes it 1).
"""

import io
import subprocess
import sys
import tempfile
import time

from common import Figure, emit, env_int, median, setup_django

REPEATS = env_int("BENCH_REPEATS", 7)
WIDTH, HEIGHT = 4000, 3000  # 12 megapixels


def phone_jpeg() -> bytes:
    """A photo-like 12 MP JPEG: smooth light, edges and sensor noise, EXIF with GPS."""
    from PIL import Image, ImageDraw, ImageFilter

    base = Image.linear_gradient("L").resize((WIDTH, HEIGHT)).convert("RGB")
    draw = ImageDraw.Draw(base)
    for index in range(60):
        x, y = (index * 397) % WIDTH, (index * 211) % HEIGHT
        colour = ((index * 53) % 256, (index * 97) % 256, (index * 31) % 256)
        draw.rounded_rectangle((x, y, x + 600, y + 420), radius=40, fill=colour)
    noise = Image.effect_noise((WIDTH, HEIGHT), 24).convert("RGB")
    photo = Image.blend(base.filter(ImageFilter.GaussianBlur(3)), noise, 0.18)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° on display, as phones write it
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def ours(data: bytes) -> dict[str, bytes]:
    from django.conf import settings

    from studies.fieldwork import images

    return images.render(data, max_pixels=settings.RESEARCHHUB_MAX_PHOTO_PIXELS).files


def with_pyvips(data: bytes) -> dict[str, bytes]:
    import pyvips

    clean = pyvips.Image.new_from_buffer(data, "").autorot()
    web = pyvips.Image.thumbnail_buffer(data, 1600)
    thumb = pyvips.Image.thumbnail_buffer(data, 400)
    return {
        "original.jpg": clean.jpegsave_buffer(Q=88, keep="none"),
        "web.webp": web.webpsave_buffer(Q=80, keep="none"),
        "web.jpg": web.jpegsave_buffer(Q=82, keep="none", optimize_coding=True),
        "thumb.webp": thumb.webpsave_buffer(Q=75, keep="none"),
        "thumb.jpg": thumb.jpegsave_buffer(Q=82, keep="none", optimize_coding=True),
    }


def timed(make, data: bytes) -> list[float]:
    make(data)  # warm-up: imports, codecs, caches
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        files = make(data)
        samples.append((time.perf_counter() - started) * 1000)
        assert set(files) == {"original.jpg", "web.webp", "web.jpg", "thumb.webp", "thumb.jpg"}
    return samples


def peak_memory_mb(data: bytes) -> float:
    """Peak resident memory of a fresh worker-like process processing the photo twice.

    The photo is made here and handed over as a file, so drawing it costs the child nothing.
    The peak is the child's VmHWM: unlike getrusage's ru_maxrss, which Linux carries over
    fork and exec (so it would report this process's own peak), it starts afresh with the
    new program.
    """
    script = (
        "import sys; sys.path.insert(0, 'bench');"
        "from photo_pipeline import ours; from common import setup_django;"
        "setup_django(); data = open(sys.argv[1], 'rb').read();"
        "ours(data); ours(data);"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    )
    with tempfile.NamedTemporaryFile(suffix=".jpg") as photo:
        photo.write(data)
        photo.flush()
        result = subprocess.run(
            [sys.executable, "-c", script, photo.name],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    return int(result.stdout.strip().splitlines()[-1]) / 1024  # VmHWM is in KiB


def main() -> None:
    setup_django()
    data = phone_jpeg()
    mine = timed(ours, data)
    theirs = timed(with_pyvips, data)
    ratio = median(mine) / median(theirs)
    emit(
        [
            Figure(
                name="photo: 12 MP JPEG → 5 outputs, ours ÷ pyvips (median)",
                value=round(ratio, 2),
                target=0.8,
                unit="×",
                detail=(
                    f"ours {median(mine):.0f} ms, pyvips {median(theirs):.0f} ms, "
                    f"{REPEATS} runs each, input {len(data) / 1e6:.1f} MB"
                ),
            ),
            Figure(
                name="photo: worker peak memory (RSS)",
                value=round(peak_memory_mb(data), 1),
                target=250.0,
                unit="MB",
                detail="a process that loads Django and processes the photo twice",
            ),
        ]
    )


if __name__ == "__main__":
    main()
