"""The production benchmarks of issue 3: the real service and workers on loopback.

P1 (prod_burst): 200 concurrent design requests with `Prefer: wait=10` against the
service under uvicorn while the fake provider takes 2 s: batch against lone request,
the server's event-loop lag, its memory per waiting request.
P2 (prod_workers): upscale jobs per second through `casecraft worker` processes at
zero provider latency, two workers against one on one database, every job once.

Run through bench/run_production.py, which puts tests/ on the import path for the
fake provider (tests/fakes). Each comparison prints its detail as it lands, then the
run ends with the ratio table (report.print_table) and the checks (prod_report).
"""

import argparse
import asyncio
import time
from pathlib import Path

from prod_burst import burst_rows, run_burst
from prod_burst import print_detail as print_burst
from prod_report import INFO, MISS, Check, print_check, print_checks
from prod_workers import print_detail as print_workers
from prod_workers import run_workers, worker_rows
from report import Row, print_row, print_table
from timing import Plan

DIAGNOSIS_PLAN = Plan(rounds=1, budget_s=0.0, min_rounds=1)


def _report(rows: list[Row], checks: list[Check], new: tuple[list[Row], list[Check]]) -> None:
    for row in new[0]:
        print_row(row)
    for check in new[1]:
        print_check(check)
    print(flush=True)
    rows.extend(new[0])
    checks.extend(new[1])


async def production(
    *, burst: bool, workers: bool, diagnose: bool, keep_logs: Path | None = None
) -> tuple[list[Row], list[Check]]:
    rows: list[Row] = []
    checks: list[Check] = []
    if burst:
        print("[P1] 200 design requests at once against the service, provider at 2 s")
        measured = await run_burst(diagnose=diagnose, keep_logs=keep_logs)
        print_burst(measured)
        _report(rows, checks, burst_rows(measured))
        if diagnose:
            print("[P1 diagnosis] one batch with the provider's webhooks refused")
            plain = await run_burst(webhooks=False, plan=DIAGNOSIS_PLAN, keep_logs=keep_logs)
            print_burst(plain)
            _report(rows, checks, burst_rows(plain))
    if workers:
        print("[P2] upscale jobs per second: two `casecraft worker` processes against one")
        result = await run_workers(keep_logs)
        print_workers(result)
        _report(rows, checks, worker_rows(result))
    return rows, checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("burst", "workers"), help="run one comparison")
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="also profile the server's event loop, time its image steps, and rerun one "
        "batch with the provider's webhooks refused (longer than the 2-minute budget)",
    )
    parser.add_argument(
        "--keep-logs", type=Path, metavar="DIR", help="copy the server's and workers' logs here"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows, checks = asyncio.run(
        production(
            burst=args.only in (None, "burst"),
            workers=args.only in (None, "workers"),
            diagnose=args.diagnose,
            keep_logs=args.keep_logs,
        )
    )
    print_table(rows)
    print()
    print_checks(checks)
    missed = sum(not row.passed for row in rows) + sum(c.verdict == MISS for c in checks)
    informed = sum(c.verdict == INFO for c in checks)
    passed = len(rows) + len(checks) - missed - informed
    elapsed = time.perf_counter() - started
    print(f"\n{passed} PASS, {missed} MISS, {informed} INFO in {elapsed:.0f} s")
    return 0
