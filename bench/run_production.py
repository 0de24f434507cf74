"""The production benchmarks (issue 3); `make bench` (bench/run.py) does not run them.

Run from the repository root, with PostgreSQL on 127.0.0.1:5432 (else SQLite):

    .venv/bin/python bench/run_production.py              # both, about 2 minutes
    .venv/bin/python bench/run_production.py --only burst
    .venv/bin/python bench/run_production.py --diagnose   # with profiles, longer
    .venv/bin/python bench/run_production.py --keep-logs DIR  # keep the servers' logs

The fake image provider lives with the tests (tests/fakes), so tests/ goes on the
import path first; nothing else of the tests is imported.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from production_bench import main

if __name__ == "__main__":
    sys.exit(main())
