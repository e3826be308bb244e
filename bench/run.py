"""`make bench`: every benchmark, each against its baseline measured in the same run.

Runs each benchmark in its own process (so one's warm caches do not flatter
another) and prints their reports one after the other, with the date and the
machine, ready to paste into the README.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = (
    "bench_sentiment.py",
    "bench_models.py",
    "bench_judgements.py",
    "bench_corrections.py",
    "bench_receptivity.py",
    "bench_pipeline.py",
    "bench_accurate.py",
    "bench_import.py",
    "bench_sources.py",
    "bench_insights.py",
    "bench_load.py",
    "check_retrain.py",
)


def main() -> int:
    print(
        f"goodwill benchmarks, {datetime.date.today().isoformat()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    failed = 0
    for name in BENCHES:
        print(f"== {name}")
        done = subprocess.run([sys.executable, str(HERE / name)], check=False)
        failed += done.returncode != 0
        print()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
