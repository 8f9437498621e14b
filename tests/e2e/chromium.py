"""How the browser tests start chromium: Debian's executable, the flags a
closed network and a root user need, and the defaults each tab is given
back (tests/e2e/conftest.py starts it; test_browser_flags.py checks the
flags against Playwright's own)."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("ARCHIVE_TEST_CHROMIUM", "/usr/bin/chromium"))
# Playwright's own --disable-features list, as its driver (pinned in
# requirements-dev.txt) passes it.
PLAYWRIGHT_DISABLED_FEATURES = [
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    # What Playwright turns off (Chromium keeps only the last
    # --disable-features it is given, so the list repeats Playwright's:
    # test_browser_flags.py checks it still does), and RenderDocument, which
    # builds every page a new frame in its renderer: a quarter less of
    # chromium's time per page load, and nothing a page can see.
    "--disable-features=" + ",".join([*PLAYWRIGHT_DISABLED_FEATURES, "RenderDocument"]),
]
TIMEOUT_MS = 15_000
DEFAULT_VIEWPORT = {"width": 1280, "height": 720}  # Playwright's own default
