"""The users bench/load_test.py sends at the real stack, run by locust in its own process.

Three kinds of user, each thinking 1–3 s between actions:

- field researchers sync batches of 10 new observations on visits assigned to them (and now
  and then send the previous batch again, as a phone does when an answer is lost), and
  sometimes upload a photo through the resumable upload;
- product designers open the product board (page and API) and search;
- marketers open the quote bank (page and API) and search.

What they act as comes from the plan load_test.py writes (BENCH_LOAD_PLAN): API tokens,
each researcher's visits, the password of the generated accounts. What they saw goes to
BENCH_LOAD_RESULTS when locust quits: every request's time by kind of user, the device ids
of the observations the server confirmed, and of the photos it accepted.
"""

import datetime as dt
import hashlib
import itertools
import json
import os
import random
import re
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from gevent.lock import Semaphore
from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text())
RESULTS_PATH = os.environ["BENCH_LOAD_RESULTS"]
BATCH = 10
CHUNK_BYTES = 64 * 1024
PHOTO: bytes = bytes.fromhex(PLAN["photo_hex"])
PHOTO_SHA256 = hashlib.sha256(PHOTO).hexdigest()
TEXTS = [
    ("note", "Keeps rice in a sealed bucket under the sink.", ""),
    ("note", "Freezer drawer labelled by day of the week, in marker on tape.", ""),
    ("quote", "I never know what is in those tubs until I open them.", "mother, 40s"),
    ("quote", "We eat the leftovers on Thursdays, that is the rule.", "father, 30s"),
    ("answer", "Mostly into the fridge in takeaway tubs, some into the freezer.", ""),
]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Every request's time in ms, by kind of user; filled by the request hook below.
samples: dict[str, list[float]] = defaultdict(list)
errors: dict[str, int] = defaultdict(int)
error_examples: list[str] = []
confirmed_device_ids: set[str] = set()
sent_device_ids: set[str] = set()
uploaded_photo_device_ids: list[str] = []
window: dict[str, float] = {}

# Several locust users may act as the same generated account (there are 3 product designers
# and 2 marketers at any scale): they share one signed-in session, as one person's tabs
# would, instead of each paying for a password hash at sign-in.
sessions: dict[str, str] = {}
session_lock = Semaphore()
next_account = defaultdict(itertools.count)


def problem(response: Any) -> str:
    """Why a response is not the one expected: its status and body, or the transport error."""
    if response.status_code == 0:
        return f"no answer: {response.error!r}"
    return f"{response.status_code}: {response.text[:200]}"


def take_account(kind: str) -> dict[str, Any]:
    accounts = PLAN[kind]
    return accounts[next(next_account[kind]) % len(accounts)]


@events.request.add_listener
def record(
    request_type: str,
    name: str,
    response_time: float,
    context: dict[str, Any],
    exception: BaseException | None,
    **_kwargs: Any,
) -> None:
    kind = context.get("user_type", "other")
    samples[kind].append(response_time)
    if exception is not None:
        errors[kind] += 1
        if len(error_examples) < 20:
            error_examples.append(f"{kind}: {request_type} {name}: {exception}")


@events.test_start.add_listener
def started(**_kwargs: Any) -> None:
    window["start"] = time.time()


@events.test_stop.add_listener
def stopped(**_kwargs: Any) -> None:
    window["stop"] = time.time()


@events.quitting.add_listener
def write_results(**_kwargs: Any) -> None:
    with Path(RESULTS_PATH).open("w") as results:
        json.dump(
            {
                "samples": samples,
                "errors": errors,
                "error_examples": error_examples,
                "confirmed_device_ids": sorted(confirmed_device_ids),
                "sent_device_ids": sorted(sent_device_ids),
                "uploaded_photo_device_ids": uploaded_photo_device_ids,
                "seconds": window.get("stop", time.time()) - window.get("start", time.time()),
            },
            results,
        )


class BenchUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    user_type = "other"

    def context(self) -> dict[str, Any]:
        return {"user_type": self.user_type}

    def on_start(self) -> None:
        self.account = take_account(self.user_type)
        self.api_headers = {"Authorization": f"Token {self.account['token']}"}
        # gunicorn closes a connection left idle for 2 s (its keep-alive), and these users
        # think for 1-3 s: a request sent on a connection just as gunicorn closes it is
        # reset before it reaches the app, which browsers and phones retry unseen but
        # requests reports as a failure. A new connection per request avoids that race.
        self.client.headers["Connection"] = "close"

    def api_get(self, path: str, name: str) -> None:
        with self.client.get(
            path, headers=self.api_headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(problem(response))

    def page_get(self, path: str) -> None:
        """A page as a signed-in person opens it; a redirect to sign in is a failure here."""
        self.sign_in()
        with self.client.get(path, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")

    def search(self) -> None:
        query = random.choice(PLAN["searches"])
        self.api_get(f"/api/v1/search/?q={query.replace(' ', '+')}", "/api/v1/search/?q=…")

    def sign_in(self) -> None:
        """Sign in through /login/ once per account, with its CSRF token; later users of
        the same account take the session."""
        username = self.account["username"]
        if self.client.cookies.get("sessionid"):
            return
        with session_lock:
            if username not in sessions:
                form = self.client.get("/login/", name="/login/ (form)")
                token = CSRF_INPUT.search(form.text)
                with self.client.post(
                    "/login/",
                    data={
                        "username": username,
                        "password": PLAN["password"],
                        "csrfmiddlewaretoken": token.group(1) if token else "",
                    },
                    allow_redirects=False,
                    catch_response=True,
                ) as response:
                    if response.status_code != 302 or "sessionid" not in self.client.cookies:
                        response.failure(f"sign-in refused: {response.status_code}")
                        return
                sessions[username] = self.client.cookies["sessionid"]
        self.client.cookies.set("sessionid", sessions[username])


class FieldResearcher(BenchUser):
    weight = 2
    user_type = "researcher"

    def on_start(self) -> None:
        super().on_start()
        self.previous: list[dict[str, Any]] = []

    def operations(self) -> list[dict[str, Any]]:
        visit = random.choice(self.account["visits"])
        start = dt.datetime.fromisoformat(visit["start"])
        minutes = (dt.datetime.fromisoformat(visit["end"]) - start).total_seconds() / 60
        batch = []
        for _item in range(BATCH):
            kind, text, speaker = random.choice(TEXTS)
            # Captured during the visit; the phone syncs later, as one offline would.
            captured_at = start + dt.timedelta(minutes=random.uniform(1, minutes - 1))
            batch.append(
                {
                    "operation_id": str(uuid.uuid4()),
                    "type": "upsert",
                    "device_id": str(uuid.uuid4()),
                    "visit": visit["id"],
                    "kind": kind,
                    "text": text,
                    "speaker": speaker,
                    "guide_question": visit["guide"][0] if kind == "answer" else None,
                    "tags": random.sample(visit["tags"], k=min(2, len(visit["tags"]))),
                    "captured_at": captured_at.isoformat(),
                    "edited_at": captured_at.isoformat(),
                }
            )
        return batch

    @task(10)
    def sync(self) -> None:
        # One batch in ten is the previous one again: an answer the phone never got.
        resend = bool(self.previous) and random.random() < 0.1
        batch = self.previous if resend else self.operations()
        expected = "duplicate" if resend else "applied"
        sent_device_ids.update(op["device_id"] for op in batch)
        with self.client.post(
            "/api/v1/sync/",
            json={"operations": batch},
            headers=self.api_headers,
            name="/api/v1/sync/ (resend)" if resend else "/api/v1/sync/",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(problem(response))
                return
            body = response.json()
            results = body.get("results", [])
            if body.get("researchhub") != "sync-v1" or [
                result["operation_id"] for result in results
            ] != [op["operation_id"] for op in batch]:
                response.failure("the answer does not confirm the batch")
                return
            refused = [result for result in results if result["status"] != expected]
            confirmed_device_ids.update(
                result["device_id"]
                for result in results
                if result["status"] in {"applied", "duplicate"}
            )
            if refused:
                response.failure(f"{len(refused)} not {expected}: {refused[0]}")
        self.previous = batch

    @task(1)
    def upload_photo(self) -> None:
        visit = random.choice(self.account["visits"])
        device_id = str(uuid.uuid4())
        with self.client.post(
            "/api/v1/uploads/",
            json={
                "device_id": device_id,
                "visit": visit["id"],
                "length": len(PHOTO),
                "sha256": PHOTO_SHA256,
                "caption": "Leftovers in takeaway tubs",
                "captured_at": visit["start"],
                "observation": None,
            },
            headers=self.api_headers,
            name="/api/v1/uploads/",
            catch_response=True,
        ) as created:
            if created.status_code != 201:
                created.failure(problem(created))
                return
            upload_id, offset = created.json()["id"], created.json()["offset"]
        while offset < len(PHOTO):
            with self.client.patch(
                f"/api/v1/uploads/{upload_id}/",
                data=PHOTO[offset : offset + CHUNK_BYTES],
                headers={
                    **self.api_headers,
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset),
                },
                name="/api/v1/uploads/{id}/ (chunk)",
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(problem(response))
                    return
                offset = response.json()["offset"]
                if offset == len(PHOTO) and not response.json()["complete"]:
                    response.failure("all bytes sent but the upload is not complete")
                    return
        uploaded_photo_device_ids.append(device_id)


class ProductDesigner(BenchUser):
    weight = 2
    user_type = "product"

    @task(3)
    def board_api(self) -> None:
        self.api_get("/api/v1/boards/product/cards/", "/api/v1/boards/product/cards/")

    @task(3)
    def board_page(self) -> None:
        self.page_get("/boards/product/")

    @task(2)
    def search_api(self) -> None:
        self.search()


class Marketer(BenchUser):
    weight = 1
    user_type = "marketing"

    @task(3)
    def quotes_api(self) -> None:
        self.api_get("/api/v1/quotes/", "/api/v1/quotes/")

    @task(3)
    def quotes_page(self) -> None:
        self.page_get("/quotes/")

    @task(2)
    def search_api(self) -> None:
        self.search()
