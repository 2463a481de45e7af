"""Run every benchmark in this folder, one after another (`make bench`).

Benchmarks are not timed tests: each prints its own figures and ratios measured side by
side in one run; docs/PERFORMANCE.md records them with the command.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name}", flush=True)
        failures += subprocess.call([sys.executable, str(script)], cwd=HERE.parent) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
