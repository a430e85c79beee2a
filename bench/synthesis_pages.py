"""Synthesis at scale: the first page of a board, of the quote bank, and a search.

Builds the generated dataset (`manage.py generate_dataset`) on PostgreSQL twice, each time in
a fresh database: at a tenth of the full size, then at full size (2,000 households, 100,000
observations, 10,000 insights, 20,000 photos). On each it measures, in-process through
Django's test client, the server time of every page (request, middleware, views, queries,
rendering; no network) over many requests after a warm-up, and counts each page's queries.
The query count of a page must not grow with the data: the same at both sizes.

The database is BENCH_DATABASE_URL, else DATABASE_URL when it is PostgreSQL, else the local
server, under the name researchhub_bench_synthesis (the throwaway copy is test_…).
"""

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from common import Figure, emit, median, percentile, setup_django, throwaway_database

DATABASE_NAME = "researchhub_bench_synthesis"
WARM_UP = 5
REQUESTS = 60
# A page far over its target would take many minutes for 60 requests; stop sooner.
TIME_BUDGET_S = 30.0
PAGE_TARGET_MS = 60.0
SEARCH_TARGET_MS = 100.0
GENERATE_TARGET_S = 300.0
# What a product designer or a marketer would type.
SEARCHES = ["freezer", "takeaway tubs", "labels", "leftovers", "oat milk", "thrown away"]


@dataclass(frozen=True)
class Page:
    name: str
    user: str  # the generated login who opens it
    urls: tuple[str, ...]
    target_ms: float


PAGES = [
    Page(
        "product board, first page (web)",
        "dataset-product-01",
        ("/boards/product/",),
        PAGE_TARGET_MS,
    ),
    Page(
        "product board, first page (API)",
        "dataset-product-01",
        ("/api/v1/boards/product/cards/",),
        PAGE_TARGET_MS,
    ),
    Page("quote bank, first page (web)", "dataset-marketing-01", ("/quotes/",), PAGE_TARGET_MS),
    Page(
        "quote bank, first page (API)", "dataset-marketing-01", ("/api/v1/quotes/",), PAGE_TARGET_MS
    ),
    Page(
        "search (API)",
        "dataset-product-01",
        tuple(f"/api/v1/search/?q={query.replace(' ', '+')}" for query in SEARCHES),
        SEARCH_TARGET_MS,
    ),
]


@dataclass(frozen=True)
class Measured:
    page: Page
    status: int  # of the first URL; anything but 200 means the page is missing or failing
    p50_ms: float
    p95_ms: float
    requests: int
    queries: dict[str, int]  # per URL


def postgres_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/researchhub"
    return urlunsplit(urlsplit(url)._replace(path=f"/{DATABASE_NAME}"))


def main() -> None:
    os.environ["DATABASE_URL"] = postgres_url()
    # The generator writes a few real image files; keep them out of the project's media.
    with tempfile.TemporaryDirectory(prefix="researchhub-bench-media-") as media:
        os.environ["MEDIA_ROOT"] = media
        setup_django()
        emit(measure_both_sizes())


def measure_both_sizes() -> list[Figure]:
    figures: list[Figure] = []
    results: dict[str, list[Measured]] = {}
    for label, scale in (("1/10", 0.1), ("full", 1.0)):
        with throwaway_database():
            seconds = generate(scale)
            results[label] = [measure(page) for page in PAGES]
        if scale == 1.0:
            figures.append(
                Figure(
                    name="generate_dataset: full size on PostgreSQL",
                    value=round(seconds, 1),
                    target=GENERATE_TARGET_S,
                    unit="s",
                    detail="2,000 households, 100,000 observations, 10,000 insights, "
                    "20,000 photos; bulk inserts, routing through insights_route",
                )
            )
    return figures + page_figures(results)


def generate(scale: float) -> float:
    from django.core.management import call_command

    started = time.monotonic()
    # Progress on stderr: bench/run.py shows it when a run fails.
    call_command("generate_dataset", "--scale", str(scale), stdout=sys.stderr)
    return time.monotonic() - started


def measure(page: Page) -> Measured:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from studies.common.models import User

    client = Client()
    client.force_login(User.objects.get(username=page.user))
    status = client.get(page.urls[0]).status_code
    if status != 200:
        return Measured(page=page, status=status, p50_ms=0.0, p95_ms=0.0, requests=0, queries={})
    queries = {}
    for url in page.urls:
        for _warm_up in range(WARM_UP):
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        queries[url] = len(captured.captured_queries)
    timings: list[float] = []
    deadline = time.monotonic() + TIME_BUDGET_S
    while len(timings) < REQUESTS and (len(timings) < 10 or time.monotonic() < deadline):
        url = page.urls[len(timings) % len(page.urls)]
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return Measured(
        page=page,
        status=status,
        p50_ms=median(timings),
        p95_ms=percentile(timings, 0.95),
        requests=len(timings),
        queries=queries,
    )


def counts_of(measured: Measured) -> str:
    """The page's query count, or their range over the page's several URLs."""
    low, high = min(measured.queries.values()), max(measured.queries.values())
    return str(low) if low == high else f"{low}–{high}"


def page_figures(results: dict[str, list[Measured]]) -> list[Figure]:
    figures = []
    growth = []
    missing = []
    for full, tenth in zip(results["full"], results["1/10"], strict=True):
        page = full.page
        if full.status != 200 or tenth.status != 200:
            missing.append(f"{page.urls[0]} answered {full.status} (full), {tenth.status} (1/10)")
            continue
        for label, measured in (("full", full), ("1/10", tenth)):
            figures.append(
                Figure(
                    name=f"{page.name}, server time p95 ({label})",
                    value=round(measured.p95_ms, 1),
                    target=page.target_ms,
                    unit="ms",
                    detail=(
                        f"p50 {measured.p50_ms:.1f} ms over {measured.requests} requests; "
                        f"{counts_of(measured)} queries"
                    ),
                )
            )
        ratios = [full.queries[url] / tenth.queries[url] for url in page.urls]
        growth.append(
            (
                page.name,
                max(max(ratios), 1 / min(ratios)),
                f"{counts_of(full)} at full size, {counts_of(tenth)} at 1/10",
            )
        )
    if not growth:
        raise SystemExit("No synthesis page answered: " + "; ".join(missing))
    worst = max(growth, key=lambda row: row[1])
    figures.append(
        Figure(
            name="queries per page, full ÷ 1/10 (worst page)",
            value=round(worst[1], 2),
            target=1.0,
            unit="×",
            detail="; ".join(
                [f"{name}: {counts}" for name, _ratio, counts in growth]
                + [f"NOT MEASURED: {line}" for line in missing]
            ),
        )
    )
    return figures


if __name__ == "__main__":
    main()
