"""Compare the analyser's speed between two source trees, alternating them in fresh processes.

    git worktree add /tmp/before <commit>
    python bench/static_ab.py /tmp/before/src [CORPUS] [--pairs 8]

Each pair runs the old tree (``PYTHONPATH=OLD_SRC``) then this checkout, each in its own process,
each taking the best of three ``analyse`` runs of CORPUS (default ``bench/corpus``, built by
``static_speed.py``) in wall-clock and in CPU time; it prints every pair's new/old ratios and
their medians. On a shared machine
whose speed swings between windows of a few seconds, the median of paired ratios is the figure to
quote, not one run of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_ONE = """
import sys, time
from pathlib import Path
from dynaguard.catalogue import CATALOGUE
from dynaguard.static import analyse
root = Path(sys.argv[1])
times, cpu = [], []
for _ in range(3):
    start, used = time.perf_counter(), time.process_time()
    analyse([root], root=root, rules=list(CATALOGUE), jobs=1)
    times.append(time.perf_counter() - start)
    cpu.append(time.process_time() - used)
print(min(times), min(cpu))
"""


def _best(corpus: Path, src: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", _ONE, str(corpus)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old_src", type=Path, help="the other tree's src/ folder")
    parser.add_argument("corpus", type=Path, nargs="?", default=HERE / "corpus")
    parser.add_argument("--pairs", type=int, default=8)
    args = parser.parse_args()
    new_src = HERE.parent / "src"
    ratios, cpu_ratios = [], []
    for pair in range(1, args.pairs + 1):
        (old, old_cpu), (new, new_cpu) = (
            _best(args.corpus, args.old_src),
            _best(args.corpus, new_src),
        )
        ratios.append(new / old)
        cpu_ratios.append(new_cpu / old_cpu)
        print(
            f"pair {pair}: old {old:.3f} s, new {new:.3f} s, new/old {ratios[-1]:.3f}; "
            f"CPU old {old_cpu:.3f} s, new {new_cpu:.3f} s, new/old {cpu_ratios[-1]:.3f}"
        )
    print(f"median new/old {statistics.median(ratios):.3f} (mean {statistics.mean(ratios):.3f})")
    print(f"median new/old in CPU time {statistics.median(cpu_ratios):.3f}")


if __name__ == "__main__":
    main()
