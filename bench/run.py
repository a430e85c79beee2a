"""`make bench`: run every benchmark, each in its own process, and print one table.

The photo benchmark compares against pyvips, a bench-only dependency installed with
`pip install -c constraints.txt -e ".[bench]"` (make bench does it).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
POSTGRES = os.environ.get("BENCH_DATABASE_URL") or (
    os.environ["DATABASE_URL"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres")
    else "postgres://postgres@127.0.0.1:5432/researchhub"
)

# (script, label, extra environment)
RUNS = [
    ("sync_batch.py", "SQLite", {"DATABASE_URL": ""}),
    ("sync_batch.py", "PostgreSQL", {"DATABASE_URL": POSTGRES}),
    ("photo_pipeline.py", "", {}),
    ("capture_page.py", "", {}),
    ("synthesis_pages.py", "PostgreSQL", {"DATABASE_URL": POSTGRES}),
]


def run(script: str, label: str, extra: dict[str, str]) -> list[dict]:
    env = {**os.environ, **extra}
    env = {k: v for k, v in env.items() if v != ""}
    started = time.monotonic()
    print(f"· {script} {label}".rstrip() + " …", flush=True)
    result = subprocess.run(
        [sys.executable, str(HERE / script)],
        cwd=HERE.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH-FIGURES "):
            return json.loads(line.removeprefix("BENCH-FIGURES "))
    sys.stderr.write(result.stdout[-2000:] + result.stderr[-4000:])
    raise SystemExit(f"{script} {label} failed (exit {result.returncode})")


def main() -> None:
    figures = [figure for args in RUNS for figure in run(*args)]
    width = max(len(f["name"]) for f in figures)
    print()
    print(f"{'figure':<{width}}  {'value':>10}  {'target':>10}  {'ratio':>6}  result")
    for f in figures:
        ratio = f["value"] / f["target"]
        verdict = "pass" if f["value"] <= f["target"] else "MISSED"
        digits = 2 if f["target"] < 10 else 1
        print(
            f"{f['name']:<{width}}  {f['value']:>7.{digits}f} {f['unit']:<2}  "
            f"{f['target']:>7.{digits}f} {f['unit']:<2}  {ratio:>6.2f}  {verdict}"
        )
        if f.get("detail"):
            print(f"{'':<{width}}    {f['detail']}")


if __name__ == "__main__":
    main()
