"""How fast this machine runs Python right now: one fixed loop on each core
at once.

    .venv/bin/python bench/machine_speed.py [--additions 30000000] [--rounds 3]
        [--processes N]

On a virtual machine the same code can run a fifth slower, or more, from one
hour to the next, and nearly twice as slow from one half-second to the next:
the host lends its cores to others too, and the guest sees no steal time. A
suite that took 5:50 one hour and 6:30 the next may not have changed at all.
Run this before and after a timing, and compare a timing only with one taken
at a like speed (docs/testing.md, "A slower suite or a slower machine").

Prints, over the rounds, the median of the slowest process's rate in
millions of additions a second (the higher, the faster) and each round's.
"""

import argparse
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor


def additions(count: int) -> float:
    """Seconds this process takes to add up `count` numbers in a plain
    loop: the kind of work the suite's Python does (no I/O, no C library)."""
    started = time.perf_counter()
    total = 0
    for number in range(count):
        total += number
    return time.perf_counter() - started


def measure(count: int, processes: int, rounds: int) -> list[float]:
    """Each round's rate of its slowest process, in millions of additions a
    second, the processes started together (the pool is warmed up first,
    so that none pays its start-up alone)."""
    rates = []
    with ProcessPoolExecutor(max_workers=processes) as pool:
        list(pool.map(additions, [1_000] * processes))
        for _ in range(rounds):
            slowest = max(pool.map(additions, [count] * processes))
            rates.append(count / slowest / 1e6)
    return rates


def report(rates: list[float], processes: int) -> str:
    each = ", ".join(f"{rate:.1f}" for rate in rates)
    return (
        f"machine speed: {statistics.median(rates):.1f} million additions a"
        f" second on each of {processes} cores at once (rounds: {each})"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # About a second and a half a round here: a shorter one catches the host
    # in a burst or a lull (docs/testing.md).
    parser.add_argument("--additions", type=int, default=30_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--processes",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="default: one per core this process may run on",
    )
    args = parser.parse_args(argv)
    if min(args.additions, args.rounds, args.processes) < 1:
        parser.error("--additions, --rounds and --processes must be 1 or more")
    rates = measure(args.additions, args.processes, args.rounds)
    print(report(rates, args.processes), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
