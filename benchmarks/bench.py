"""Run the be-kind model benchmark from a checkout: ``python benchmarks/bench.py [--json]``.

Same as ``primum bench``; kept here so the numbers in the model card can be reproduced without
installing the console script.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from primum.inference.bench import run_bench


def main() -> int:
    """Print the benchmark result (one JSON object with --json)."""
    threads = 1
    for arg in sys.argv[1:]:
        if arg.startswith("--threads="):
            threads = int(arg.split("=", 1)[1])
    result = run_bench(threads=threads, reference="--no-reference" not in sys.argv)
    print(json.dumps(result) if "--json" in sys.argv else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
