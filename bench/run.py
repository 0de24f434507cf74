"""CaseCraft benchmarks: each figure a ratio against a floor measured in the same run.

Run from the repository root: `.venv/bin/python bench/run.py` (or `make bench`).
`--no-server` skips the optional measurement through a uvicorn server on loopback.
"""

import argparse
import asyncio
import sys
import time

from auth_bench import auth_rows
from http_bench import http_rows
from mask_bench import mask_rows
from preview_bench import preview_rows
from report import Row, print_row, print_table
from server_bench import server_rows


def _report(rows: list[Row], new: list[Row]) -> None:
    for row in new:
        print_row(row)
    print(flush=True)
    rows.extend(new)


async def run(with_server: bool) -> list[Row]:
    """Every comparison in turn, each printed as it lands."""
    rows: list[Row] = []
    _report(rows, await preview_rows())
    _report(rows, await mask_rows())
    _report(rows, await http_rows())
    if with_server:
        _report(rows, await server_rows())
    _report(rows, await auth_rows())
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-server", action="store_true", help="skip the uvicorn measurement on loopback"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = asyncio.run(run(with_server=not args.no_server))
    print_table(rows)
    missed = sum(not row.passed for row in rows)
    print(f"\n{len(rows) - missed} PASS, {missed} MISS in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
