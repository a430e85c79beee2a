"""Server time of one sign-in, the whole request through every middleware (target: 300 ms p95).

Each of BENCH_RUNS sign-ins (default 30, after a warm-up) posts the login form with the
right password for a user whose password is stored with the configured first hasher, and
the time is from the request entering Django to the redirect it answers. The same is then
measured for Django's default PBKDF2, shown in the detail, so the gain stays visible.
Embedded set-up: SQLite in a throwaway database.
"""

import os
import time

from common import Figure, emit, env_int, median, percentile, setup_django, throwaway_database

RUNS = env_int("BENCH_RUNS", 30)
TARGET_MS = 300.0
PASSWORD = "a long and honest passphrase"  # noqa: S105 — a throwaway benchmark user


def sign_ins(hasher: str) -> list[float]:
    from django.contrib.auth.hashers import get_hasher, make_password
    from django.test import Client
    from django.test.utils import override_settings

    from studies.common.models import User

    with override_settings(PASSWORD_HASHERS=[hasher]):
        user = User.objects.create(
            username=f"bench-{get_hasher().algorithm}-{time.monotonic_ns()}",
            password=make_password(PASSWORD),
        )
        timings = []
        for run in range(RUNS + 1):
            client = Client()
            started = time.perf_counter()
            answer = client.post("/login/", {"username": user.username, "password": PASSWORD})
            elapsed = (time.perf_counter() - started) * 1000
            if answer.status_code != 302:
                raise SystemExit(f"the sign-in was not accepted: {answer.status_code}")
            if run:  # the first is a warm-up
                timings.append(elapsed)
    return timings


def main() -> None:
    os.environ.pop("DATABASE_URL", None)
    setup_django()
    from django.conf import settings

    with throwaway_database():
        configured = sign_ins(settings.PASSWORD_HASHERS[0])
        default = sign_ins("django.contrib.auth.hashers.PBKDF2PasswordHasher")
    emit(
        [
            Figure(
                name="sign-in: server time of one sign-in, p95",
                value=round(percentile(configured, 0.95), 1),
                target=TARGET_MS,
                unit="ms",
                detail=(
                    f"median {median(configured):.1f} ms over {RUNS}; Django's default PBKDF2: "
                    f"median {median(default):.1f} ms, p95 {percentile(default, 0.95):.1f} ms"
                ),
            )
        ]
    )


if __name__ == "__main__":
    main()
