"""Photo processing by real Celery workers through Redis: a worker killed mid-photo and a
broker restarted mid-run lose no photo, and no photo is done twice into two files.

The workers are separate processes on this test's database and media folder. The first
test listens on a queue of its own on REDIS_URL, so no other worker takes its messages;
the second runs a throwaway Redis of its own, since it restarts it.
"""

import datetime as dt
import io
import os
import shutil
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.utils import timezone
from PIL import Image, ImageChops

from studies.fieldwork.models import Photo, PhotoStatus
from studies.fieldwork.services import photos
from tests.environment import unavailable
from tests.fieldwork.photo_support import gps_exif, media, stored_files, visits
from tests.infra.conftest import broker_app, redis_url
from tests.infra.services import (
    VENV_BIN,
    ServiceProcess,
    database_url_for_tests,
    free_port,
    running,
)

__all__ = ["broker_app", "media", "redis_url", "visits"]  # fixtures from elsewhere

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PHOTOS = 12
OUTPUTS = ["original.jpg", "thumb.jpg", "thumb.webp", "web.jpg", "web.webp"]


@cache
def phone_photo() -> bytes:
    """A 12-megapixel JPEG as a phone makes it (noise, GPS, sideways): slow enough to
    process that a worker can be caught in the middle of one."""
    width, height = 4032, 3024
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    image = Image.merge(
        "RGB",
        (
            ImageChops.add(gradient, noise, scale=2),
            gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
            ImageChops.blend(noise, gradient, 0.6),
        ),
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=gps_exif(orientation=6).tobytes())
    return buffer.getvalue()


def ingest_many(visit, count: int) -> list[Photo]:
    return [
        photos.photo_ingest(
            visit=visit,
            author=visit.researcher,
            content=phone_photo(),
            caption=f"Photo {index}",
            captured_at=timezone.now(),
        )
        for index in range(count)
    ]


def wait_until(condition: Callable[[], bool], timeout: float, what: str, *logs: ServiceProcess):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(log.tail() for log in logs)
            pytest.fail(f"{what}: not within {timeout}s\n{tails}")
        time.sleep(0.05)


def count(status: str) -> int:
    return Photo.objects.filter(status=status).count()


def being_processed() -> int:
    return Photo.objects.filter(status=PhotoStatus.PENDING, attempts__gt=0).count()


def assert_each_photo_done_once_into_its_own_files(media_root: Path, made: list[Photo]) -> None:
    assert count(PhotoStatus.READY) == len(made)
    expected = []
    for photo in Photo.objects.select_related("visit__round"):
        folder = photos.photo_output_folder(photo)
        expected += [f"{folder}/{name}" for name in OUTPUTS]
        assert (photo.width, photo.height) == (3024, 4032)
        assert not photo.upload
    # Exactly the outputs: no second copy of any, no raw upload, no chunk left over.
    assert stored_files(media_root) == sorted(expected)


def worker_command(queues: str, name: str) -> list[str]:
    return [
        "celery", "-A", "researchhub", "worker", "--loglevel=INFO",
        "--pool=prefork", "--concurrency=2",
        f"--queues={queues}", f"--hostname={name}@%h",
        "--without-mingle", "--without-gossip",
    ]  # fmt: skip


def worker_environment(broker: str, media_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": database_url_for_tests(),
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "MEDIA_ROOT": str(media_root),
    }


def test_a_worker_killed_mid_photo_leaves_every_photo_to_the_next(
    broker_app: Celery, redis_url, visits, media, tmp_path
):
    queue = f"photos-kill-{uuid.uuid4().hex}"
    environment = worker_environment(redis_url, media)

    with running(
        worker_command(queue, f"{queue}-1"), environment=environment, log_path=tmp_path / "w1.log"
    ) as first:
        first.wait_for(r"@\S+ ready\.")
        with photos_routed_to(broker_app, queue):
            made = ingest_many(visits.mine, PHOTOS)
        wait_until(
            lambda: count(PhotoStatus.READY) >= 2 and being_processed() >= 1,
            120,
            "the first worker processing photos",
            first,
        )
        # SIGKILL to the whole process group: the pool processes die mid-photo, with no
        # chance to reject their tasks or tidy up half-written files.
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)

    interrupted = being_processed()
    left = count(PhotoStatus.PENDING)
    assert interrupted >= 1
    assert left >= 1

    with running(
        worker_command(queue, f"{queue}-2"), environment=environment, log_path=tmp_path / "w2.log"
    ) as second:
        second.wait_for(r"@\S+ ready\.")
        # The killed worker's own messages stay unacknowledged in Redis until the
        # visibility timeout; the sweeper sends those photos again now.
        with photos_routed_to(broker_app, queue):
            photos.photos_requeue_stuck(older_than=dt.timedelta(0))
        wait_until(lambda: count(PhotoStatus.READY) == PHOTOS, 240, "every photo ready", second)

    assert count(PhotoStatus.FAILED) == 0
    assert_each_photo_done_once_into_its_own_files(media, made)
    assert max(Photo.objects.values_list("attempts", flat=True)) >= 2  # really retried


@contextmanager
def photos_routed_to(app: Celery, queue: str) -> Iterator[None]:
    """Send photo tasks to `queue` for a while (Celery caches its router: rebuild it)."""
    saved = app.conf.task_routes

    def fresh_router() -> None:
        app.amqp._rtable = None
        app.amqp.__dict__.pop("router", None)

    app.conf.task_routes = {"fieldwork.process_photo": {"queue": queue}}
    fresh_router()
    try:
        yield
    finally:
        app.conf.task_routes = saved
        fresh_router()


@contextmanager
def sending_to(app: Celery, broker: str) -> Iterator[None]:
    """Point the test's Celery app at another broker for a while."""
    saved = app.conf.broker_url, app.conf.task_always_eager

    def fresh_connections() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url, app.conf.task_always_eager = broker, False
    fresh_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        fresh_connections()


@contextmanager
def throwaway_redis(port: int, log_path: Path) -> Iterator[ServiceProcess]:
    # Nothing on disk: a restart loses every queued message, as a crash without
    # persistence would.
    command = [
        "redis-server", "--port", str(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no",
    ]  # fmt: skip
    with running(command, environment=dict(os.environ), log_path=log_path) as server:
        server.wait_for(r"Ready to accept connections")
        yield server


@pytest.fixture
def redis_server_binary(redis_url) -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is not installed (apt-get install redis-server)")
    return binary


def test_redis_restarted_mid_run_loses_no_photo_thanks_to_the_sweeper(
    redis_server_binary, visits, media, tmp_path
):
    from researchhub.celery import app

    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    environment = worker_environment(broker, media)

    with (
        throwaway_redis(port, tmp_path / "redis-1.log") as server,
        running(
            worker_command("default,photos", f"restart-{port}"),
            environment=environment,
            log_path=tmp_path / "worker.log",
        ) as worker,
    ):
        worker.wait_for(r"@\S+ ready\.")
        with sending_to(app, broker):
            made = ingest_many(visits.mine, PHOTOS)
        wait_until(lambda: count(PhotoStatus.READY) >= 2, 120, "the first photos", worker)

        server.process.terminate()
        server.process.wait(timeout=10)
        with throwaway_redis(port, tmp_path / "redis-2.log"):
            # The queued tasks are gone. (Not "no keys": a worker that reconnects fast has
            # already declared its queues' bindings on the fresh server.)
            fresh = redis.Redis(port=port)
            assert (fresh.llen("photos"), fresh.llen("default"), fresh.hlen("unacked")) == (0, 0, 0)
            wait_until(
                lambda: worker.output().count("Connected to redis://") >= 2,
                60,
                "the worker reconnecting",
                worker,
            )
            # What the worker was holding finishes; the rest waits for nothing.
            wait_until(lambda: being_processed() == 0, 60, "in-flight photos", worker)
            time.sleep(2)
            assert count(PhotoStatus.PENDING) >= 1

            with sending_to(app, broker):
                resent = photos.photos_requeue_stuck(older_than=dt.timedelta(0))
            wait_until(lambda: count(PhotoStatus.READY) == PHOTOS, 240, "every photo ready", worker)

    assert resent >= 1
    assert count(PhotoStatus.FAILED) == 0
    assert_each_photo_done_once_into_its_own_files(media, made)
