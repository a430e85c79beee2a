"""Synthesis at scale: the first page of a board, of the quote bank, a search, and a study's
Trends, Loop health and round report pages.

Builds the generated dataset (`manage.py generate_dataset`) on PostgreSQL twice, each time in
a fresh database: at a tenth of the full size, then at full size (2,000 households, 100,000
observations, 10,000 insights, 20,000 photos). On each it measures, in-process through
Django's test client, the server time of every page (request, middleware, views, queries,
rendering; no network) over many requests after a warm-up, and counts each page's queries.
The query count of a page must not grow with the data: the same at both sizes.

The database is BENCH_DATABASE_URL, else DATABASE_URL when it is PostgreSQL, else the local
server, under the name researchhub_bench_synthesis (the throwaway copy is test_…).
BENCH_SCALE sets the full size (default 1, the generator's default; the tenth follows) and
BENCH_REQUESTS the timed requests per page (default 60): bench/run.py's smoke run makes both
small.
"""

import os
import time
from dataclasses import dataclass, replace

from common import (
    Figure,
    emit,
    env_int,
    generate_dataset,
    median,
    percentile,
    postgres_url,
    scratch_media,
    setup_django,
    size_scales,
    throwaway_database,
)

DATABASE_NAME = "researchhub_bench_synthesis"
WARM_UP = 5
REQUESTS = env_int("BENCH_REQUESTS", 60)
# A page far over its target would take many minutes for 60 requests; stop sooner.
TIME_BUDGET_S = 30.0
PAGE_TARGET_MS = 60.0
SEARCH_TARGET_MS = 100.0
# A study's Trends, Loop health and round report read all of its evidence (ADR 0014).
STUDY_PAGE_TARGET_MS = 500.0
GENERATE_TARGET_S = 300.0
# What a product designer or a marketer would type.
SEARCHES = ["freezer", "takeaway tubs", "labels", "leftovers", "oat milk", "thrown away"]


@dataclass(frozen=True)
class Page:
    name: str
    user: str  # the generated login who opens it
    urls: tuple[str, ...]  # "{study}" and "{round}": the user's first study, its latest round
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
    Page("trends (web)", "dataset-product-01", ("/studies/{study}/trends/",), STUDY_PAGE_TARGET_MS),
    Page(
        "trends (API)",
        "dataset-product-01",
        ("/api/v1/studies/{study}/trends/",),
        STUDY_PAGE_TARGET_MS,
    ),
    Page(
        "loop health (web)",
        "dataset-product-01",
        ("/studies/{study}/loop-health/",),
        STUDY_PAGE_TARGET_MS,
    ),
    Page(
        "round report (web)",
        "dataset-product-01",
        ("/rounds/{round}/report/",),
        STUDY_PAGE_TARGET_MS,
    ),
]


@dataclass(frozen=True)
class Measured:
    page: Page
    status: int  # of the first URL; anything but 200 means the page is missing or failing
    p50_ms: float
    p95_ms: float
    requests: int
    queries: list[int]  # per URL, in the page's order (ids differ between the two sizes)


def main() -> None:
    os.environ["DATABASE_URL"] = postgres_url(DATABASE_NAME)
    with scratch_media():
        setup_django()
        emit(measure_both_sizes())


def measure_both_sizes() -> list[Figure]:
    from studies.demo.dataset import DatasetSize

    figures: list[Figure] = []
    results: dict[str, list[Measured]] = {}
    for label, scale in size_scales():
        with throwaway_database():
            seconds = generate_dataset(scale)
            results[label] = [measure(page) for page in PAGES]
        size = DatasetSize().scaled(scale)
        figures.append(
            Figure(
                name="generate_dataset on PostgreSQL",
                value=round(seconds, 1),
                target=GENERATE_TARGET_S,
                unit="s",
                detail=f"{size.households:,} households, {size.observations:,} observations, "
                f"{size.insights:,} insights, {size.photos:,} photos; bulk inserts, routing "
                "through insights_route",
                size=label,
            )
        )
    return figures + page_figures(results)


def measure(page: Page) -> Measured:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from studies.common.models import User

    client = Client()
    user = User.objects.get(username=page.user)
    client.force_login(user)
    page = replace(page, urls=tuple(study_urls(url, user) for url in page.urls))
    status = client.get(page.urls[0]).status_code
    if status != 200:
        return Measured(page=page, status=status, p50_ms=0.0, p95_ms=0.0, requests=0, queries=[])
    queries = []
    for url in page.urls:
        for _warm_up in range(WARM_UP):
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        queries.append(len(captured.captured_queries))
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


def study_urls(url: str, user) -> str:
    """Fill in the user's first study and its latest visited round."""
    from studies.scheduling.models import Round, Study, VisitStatus

    study = Study.objects.filter(memberships__user=user).order_by("title").first()
    latest = (
        Round.objects.filter(study=study, visits__status=VisitStatus.COMPLETED)
        .order_by("-window_start")
        .first()
    )
    return url.replace("{study}", str(study.pk if study else "")).replace(
        "{round}", str(latest.pk if latest else "")
    )


def counts_of(measured: Measured) -> str:
    """The page's query count, or their range over the page's several URLs."""
    low, high = min(measured.queries), max(measured.queries)
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
                    name=f"{page.name}, server time p95",
                    value=round(measured.p95_ms, 1),
                    target=page.target_ms,
                    unit="ms",
                    detail=(
                        f"p50 {measured.p50_ms:.1f} ms over {measured.requests} requests; "
                        f"{counts_of(measured)} queries"
                    ),
                    size=label,
                )
            )
        ratios = [a / b for a, b in zip(full.queries, tenth.queries, strict=True)]
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
