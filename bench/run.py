"""`make bench`: run every benchmark, each in its own process, and print one table.

Each row is one figure against its target (lower is better for every figure here): its
value, the target, value ÷ target and pass or MISSED. A figure that depends on the data is
measured at two sizes, the generated dataset in full and a tenth of it, on consecutive rows;
the full row also shows full ÷ 1/10, how the cost grows with the data. A MISSED target is
reported, not an error: the run fails only when a benchmark does not run to the end.

BENCH_SMOKE=1 (`make bench-smoke`, which CI runs) runs every benchmark on tiny data with a
few requests, so that none of them rots; its figures are not comparable with the targets
and are not judged. BENCH_ONLY or BENCH_SKIP (script names, comma-separated, `.py`
optional) run some of them only, or all but some.

The photo benchmark compares against pyvips and the load test drives the stack with locust,
bench-only dependencies installed with `pip install -c constraints.txt -e ".[bench]"`
(make bench does it).
"""

import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
POSTGRES = os.environ.get("BENCH_DATABASE_URL") or (
    os.environ["DATABASE_URL"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres")
    else "postgres://postgres@127.0.0.1:5432/researchhub"
)
SMOKE = os.environ.get("BENCH_SMOKE", "") not in ("", "0")
# How the sizes sort in the table, the full dataset first.
SIZES = ("full", "1/10", "")
# A smoke run's benchmark takes well under a minute; one that hangs fails here, with its
# output, before CI's own timeout kills the whole run.
SMOKE_TIMEOUT_S = 240
# What a benchmark gets after SIGTERM to stop what it started (servers, databases).
STOP_S = 30


@dataclass(frozen=True)
class Run:
    script: str
    label: str = ""
    env: dict[str, str] = field(default_factory=dict)
    # The knobs of a smoke run: tiny data, few requests (see each script's docstring).
    smoke_env: dict[str, str] = field(default_factory=dict)
    # The size of the figures that name none themselves.
    size: str = ""
    timeout_s: int = 900  # in make bench; a smoke run allows SMOKE_TIMEOUT_S


# Two sizes of the generated dataset in a smoke run: 0.05 of it, and a tenth of that (the
# generator needs one household per study, so the tenth cannot go below 0.005).
SMOKE_SCALE = {"BENCH_SCALE": "0.05"}
RUNS = [
    Run(
        "sync_batch.py",
        "SQLite",
        {"DATABASE_URL": ""},
        smoke_env={**SMOKE_SCALE, "BENCH_ROUNDS": "3"},
    ),
    Run(
        "sync_batch.py",
        "PostgreSQL",
        {"DATABASE_URL": POSTGRES},
        smoke_env={**SMOKE_SCALE, "BENCH_ROUNDS": "3"},
    ),
    Run("photo_pipeline.py", smoke_env={"BENCH_REPEATS": "1"}),
    Run("panel_import.py", smoke_env={"BENCH_PANEL_ROWS": "200", "BENCH_RUNS": "1"}),
    Run("capture_page.py", smoke_env={"BENCH_RUNS": "1"}),
    Run("sign_in.py", "SQLite", smoke_env={"BENCH_RUNS": "2"}),
    Run(
        "synthesis_pages.py",
        "PostgreSQL",
        {"DATABASE_URL": POSTGRES},
        smoke_env={**SMOKE_SCALE, "BENCH_REQUESTS": "5"},
        timeout_s=1800,
    ),
    Run(
        "load_test.py",
        "gunicorn, PostgreSQL, Redis, Celery",
        {"DATABASE_URL": POSTGRES, "BENCH_SCALE": "1", "BENCH_USERS": "50", "BENCH_SECONDS": "60"},
        smoke_env={"BENCH_SCALE": "0.01", "BENCH_USERS": "5", "BENCH_SECONDS": "10"},
        size="full",
    ),
]


def selected(runs: list[Run]) -> list[Run]:
    """The runs BENCH_ONLY and BENCH_SKIP leave; a name that matches no script is an error."""
    only, skip = (
        {name.strip().removesuffix(".py") for name in os.environ.get(var, "").split(",")} - {""}
        for var in ("BENCH_ONLY", "BENCH_SKIP")
    )
    if unknown := (only | skip) - {run.script.removesuffix(".py") for run in runs}:
        raise SystemExit(f"BENCH_ONLY / BENCH_SKIP name no benchmark: {', '.join(sorted(unknown))}")
    return [
        run
        for run in runs
        if (not only or run.script.removesuffix(".py") in only)
        and run.script.removesuffix(".py") not in skip
    ]


def problem_with(figures: object) -> str:
    """Why what a benchmark handed over is not a list of figures; empty when it is."""
    if not isinstance(figures, list) or not figures:
        return "no figures"
    for figure in figures:
        if not isinstance(figure, dict) or not {"name", "value", "target", "unit"} <= set(figure):
            return f"not a figure: {figure!r}"
        numbers = (figure["value"], figure["target"])
        if not all(isinstance(n, int | float) and math.isfinite(n) for n in numbers):
            return f"{figure['name']}: value and target must be numbers"
        if figure["target"] < 0 or figure.get("size", "") not in SIZES:
            return f"{figure['name']}: target must not be negative, size one of {SIZES}"
    return ""


def run(benchmark: Run) -> list[dict]:
    """The benchmark's figures; SystemExit with its output's tail when it fails."""
    env = {**os.environ, **benchmark.env, **(benchmark.smoke_env if SMOKE else {})}
    env = {k: v for k, v in env.items() if v != ""}
    name = f"{benchmark.script} {benchmark.label}".rstrip()
    started = time.monotonic()
    timeout_s = SMOKE_TIMEOUT_S if SMOKE else benchmark.timeout_s
    print(f"· {name} …", flush=True)
    with subprocess.Popen(
        [sys.executable, str(HERE / benchmark.script)],
        cwd=HERE.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout_s)
            problem = "" if process.returncode == 0 else f"exit {process.returncode}"
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                stdout, stderr = process.communicate(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
            problem = f"no answer within {timeout_s} s"
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    lines = [line for line in stdout.splitlines() if line.startswith("BENCH-FIGURES ")]
    figures = json.loads(lines[-1].removeprefix("BENCH-FIGURES ")) if lines else None
    if problem := problem or problem_with(figures):
        sys.stderr.write(stdout[-2000:] + stderr[-4000:])
        raise SystemExit(f"{name} failed: {problem}")
    return [{**figure, "size": figure.get("size") or benchmark.size} for figure in figures]


def grouped(figures: list[dict]) -> list[list[dict]]:
    """Each figure's sizes together, full before 1/10, in the order the figures came."""
    groups: dict[str, list[dict]] = {}
    for figure in figures:
        groups.setdefault(figure["name"], []).append(figure)
    return [sorted(group, key=lambda f: SIZES.index(f["size"])) for group in groups.values()]


def growth(group: list[dict]) -> str:
    """Full ÷ 1/10 of a figure measured at both sizes; blank otherwise."""
    by_size = {figure["size"]: figure["value"] for figure in group}
    if {"full", "1/10"} <= set(by_size) and by_size["1/10"] > 0:
        return f"{by_size['full'] / by_size['1/10']:.2f}×"
    return ""


def ratio(figure: dict) -> str:
    # A target of none (errors, lost observations) has no ratio: the count is the verdict.
    if figure["target"] == 0:
        return "-"
    return f"{figure['value'] / figure['target']:.2f}"


def table(figures: list[dict]) -> list[str]:
    def amount(figure: dict, number: float) -> str:
        digits = 2 if figure["target"] < 10 else 1
        return f"{number:.{digits}f} {figure['unit']}"

    groups = grouped(figures)
    name_width = max(len("figure"), *(len(f["name"]) for f in figures))
    value_width = max(len(amount(f, max(f["value"], f["target"]))) for f in figures)
    header = (
        f"{'figure':<{name_width}}  {'size':<4}  {'value':>{value_width}}  "
        f"{'target':>{value_width}}  {'ratio':>6}  {'result':<6}  full ÷ 1/10"
    )
    lines = [header, "-" * len(header)]
    for group in groups:
        for index, f in enumerate(group):
            verdict = "-" if SMOKE else "pass" if f["value"] <= f["target"] else "MISSED"
            lines.append(
                f"{f['name'] if index == 0 else '':<{name_width}}  {f['size']:<4}  "
                f"{amount(f, f['value']):>{value_width}}  {amount(f, f['target']):>{value_width}}  "
                f"{ratio(f):>6}  {verdict:<6}  "
                f"{growth(group) if index == 0 else ''}".rstrip()
            )
        for f in group:
            if f.get("detail"):
                lines.append(f"    {f['size'] + ': ' if len(group) > 1 else ''}{f['detail']}")
    return lines


def main() -> None:
    started = time.monotonic()
    figures: list[dict] = []
    failed: list[str] = []
    for benchmark in selected(RUNS):
        try:
            figures += run(benchmark)
        except SystemExit as failure:
            print(f"  {failure}", file=sys.stderr, flush=True)
            failed.append(str(failure))
    print()
    if SMOKE:
        print("SMOKE: figures not comparable with targets (tiny data, few requests)")
    if figures:
        print("\n".join(table(figures)))
    missed = sum(f["value"] > f["target"] for f in figures)
    print()
    summary = f"{len(figures)} figures, " + (
        "targets not judged (SMOKE)" if SMOKE else f"{missed} missed"
    )
    print(f"{summary}; {time.monotonic() - started:.0f} s")
    if failed:
        raise SystemExit("Benchmarks that did not run to the end:\n  " + "\n  ".join(failed))


if __name__ == "__main__":
    main()
