"""The flags the browser tests start chromium with."""

import re
from pathlib import Path

import playwright

from tests.e2e.chromium import CHROMIUM_ARGS, PLAYWRIGHT_DISABLED_FEATURES

DRIVER_BUNDLE = (
    Path(playwright.__file__).parent / "driver" / "package" / "lib" / "coreBundle.js"
)


def test_the_features_playwright_turns_off_stay_off():
    # Chromium keeps only the last --disable-features: ours replaces
    # Playwright's, so it must name every feature Playwright's does.
    bundle = DRIVER_BUNDLE.read_text(encoding="utf-8")
    listed = re.search(r"disabledFeatures = \[(.*?)\]", bundle, re.DOTALL)
    assert listed, (
        f"Playwright's list of disabled features not found in {DRIVER_BUNDLE}"
    )
    playwrights = set(re.findall(r'^\s*"(\w+)"', listed.group(1), re.MULTILINE))
    assert playwrights, listed.group(1)
    assert playwrights <= set(PLAYWRIGHT_DISABLED_FEATURES), playwrights
    (ours,) = [arg for arg in CHROMIUM_ARGS if arg.startswith("--disable-features=")]
    assert set(PLAYWRIGHT_DISABLED_FEATURES) <= set(ours.split("=")[1].split(","))
