"""Request budgets written as "<count>/<period>", e.g. "60/minute".

Kept free of Django so that the settings can check every budget at start-up
and refuse a misspelt one loudly, rather than run without a limit.
"""

import re
from dataclasses import dataclass

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Rate:
    """At most `count` requests in each window of `seconds`."""

    count: int
    seconds: int

    def __str__(self) -> str:
        period = {v: k for k, v in PERIODS.items()}[self.seconds]
        return f"{self.count}/{period}"


def parse_rate(text: str) -> Rate:
    """A Rate from "60/minute" (second, minute, hour or day); ValueError on
    anything else, a count of 0 included: a budget that lets nothing through
    is a typo, not a policy."""
    match = _RATE.match(text or "")
    if not match or int(match.group(1)) < 1:
        raise ValueError(
            f"{text!r} is not a rate such as '60/minute' "
            "(a whole number above 0, then second, minute, hour or day)."
        )
    return Rate(int(match.group(1)), PERIODS[match.group(2)])
