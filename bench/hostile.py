"""Benchmark: peak memory and seconds of each hostile input testers found, in a child each.

Every input runs in its own child process (``tests/hostile.py``: address-space cap,
timeout, peak RSS from ``os.wait4``). The figures are printed as ratios against a plain
1,000-row CSV parsed the same way in the same run, so they compare across machines;
a ratio near 1 means the hostile input costs about what a normal small import costs.

    .venv/bin/python bench/hostile.py [--timeout 120] [--memory-mb 2048]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder would be first on sys.path; the shared builders live in tests/.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import argparse
import tempfile

from hostile import (
    CLEAN_FILE,
    PARSE_FILE,
    Measured,
    anchor_description,
    dimension_bomb_xlsx,
    many_rows_csv,
    run_bounded,
    truncated_feed,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per input")
    parser.add_argument("--memory-mb", type=int, default=2048, help="address-space cap per child")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        files = {
            "baseline.csv": many_rows_csv(1_000),
            "bomb.xlsx": dimension_bomb_xlsx(),
            "million.csv": many_rows_csv(1_000_000),
            "feed.xml": truncated_feed()[0],
        }
        for name, data in files.items():
            (work / name).write_bytes(data)
        (work / "anchors.txt").write_text(anchor_description())
        runs: list[tuple[str, int, str, list[str]]] = [
            ("1,000-row CSV (baseline)", len(files["baseline.csv"]), PARSE_FILE,
             ["csv", str(work / "baseline.csv")]),
            ("dimension-bomb xlsx", len(files["bomb.xlsx"]), PARSE_FILE,
             ["csv", str(work / "bomb.xlsx")]),
            ("1M-row CSV", len(files["million.csv"]), PARSE_FILE,
             ["csv", str(work / "million.csv")]),
            ("240 KB '<a ' description", len(anchor_description()), CLEAN_FILE,
             [str(work / "anchors.txt")]),
            ("truncated feed", len(files["feed.xml"]), PARSE_FILE,
             ["rss", str(work / "feed.xml")]),
        ]  # fmt: skip
        results: list[tuple[str, int, Measured]] = []
        for label, size, code, argv in runs:
            measured = run_bounded(code, argv, timeout=args.timeout, memory_mb=args.memory_mb)
            results.append((label, size, measured))
    base = results[0][2]
    print(f"{'input':28} {'bytes':>11} {'peak MB':>8} {'x base':>7} {'seconds':>8} {'x base':>7}  "
          "outcome")  # fmt: skip
    for label, size, m in results:
        if m.timed_out:
            outcome = f"TIMED OUT after {args.timeout:.0f} s"
        elif m.returncode != 0:
            outcome = f"FAILED ({m.returncode}): {m.stderr.strip().splitlines()[-1][:60]}"
        else:
            outcome = " ".join(m.stdout.split())  # listings problems complete (or cleaned size)
        print(f"{label:28} {size:>11,} {m.peak_mb:>8.1f} {m.peak_mb / base.peak_mb:>7.2f} "
              f"{m.seconds:>8.2f} {m.seconds / base.seconds:>7.2f}  {outcome}")  # fmt: skip


if __name__ == "__main__":
    main()
