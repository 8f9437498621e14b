"""The order in which the xdist workers take the tests (`make test`).

With `--dist worksteal`, xdist hands each worker one contiguous share of the
collected tests (the first worker the first share, and so on) and, when a
worker runs dry, moves the tail of another worker's share over to it. The
long tests (the leak scan, the browser tests, the tests that start
processes) are few, and where they fell used to decide when the run ended:
a worker that met the leak scan late ran it alone while the other had
nothing left to take. So every share starts with its part of the long
modules, spread so that the shares weigh about the same, and ends with the
quick tests, which are the ones taken over to even out the ends.

Modules stay whole at the start of a share: a module's installation
(module-scoped fixtures) is then built once, and a share's browser modules
follow each other, so that they share one browser. Only the order
changes; nothing is added or left out, and the order is the same in every
worker (xdist checks that every worker collected the same list).
"""

import os
from collections import defaultdict

# Rough wall-clock weights (seconds, on two shared cores) by mark. They only
# need to tell a long test from a quick one; the measured figures are in
# docs/testing.md.
WEIGHTS = {"leak_scan": 50.0, "slow": 10.0, "browser": 3.0}
QUICK = 0.2


def weight(item) -> float:
    if item.get_closest_marker("skip") is not None:
        return 0.0
    marks = [mark for mark in WEIGHTS if item.get_closest_marker(mark) is not None]
    return max((WEIGHTS[mark] for mark in marks), default=QUICK)


def _is_browser_test(item) -> bool:
    return item.get_closest_marker("browser") is not None


def share_sizes(count: int, workers: int) -> list[int]:
    """How many tests xdist's worksteal scheduler first sends each worker."""
    sizes = []
    for remaining_workers in range(workers, 0, -1):
        sizes.append((count - sum(sizes)) // remaining_workers)
    return sizes


def long_first(items: list, workers: int) -> list:
    """`items` reordered: each worker's share opens with long modules of
    about equal total weight, and the quick tests fill the rest."""
    if workers < 2:
        return items
    modules = defaultdict(list)
    for item in items:
        modules[item.nodeid.split("::")[0]].append(item)
    long_modules = sorted(
        (
            tests
            for tests in modules.values()
            if any(weight(test) > QUICK for test in tests)
        ),
        key=lambda tests: (-sum(map(weight, tests)), tests[0].nodeid),
    )
    in_long = {id(test) for tests in long_modules for test in tests}
    quick = [item for item in items if id(item) not in in_long]
    # The longest module first, each to the lightest share so far.
    shares = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for tests in long_modules:
        lightest = loads.index(min(loads))
        shares[lightest] += tests
        loads[lightest] += sum(map(weight, tests))
    ordered = []
    for share, size in zip(shares, share_sizes(len(items), workers), strict=True):
        # A share's browser modules one after the other: they share one
        # browser while they follow each other (tests/e2e/conftest.py).
        share.sort(key=_is_browser_test)
        fill = max(0, size - len(share))
        ordered += share + quick[:fill]
        quick = quick[fill:]
    return ordered + quick


def workers() -> int:
    """The number of xdist workers this run has (1 without xdist)."""
    return int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
