"""Settings for a second process in tests: the test run's index (the
database is not needed: the search answers from the index alone)."""

import os

from archive.settings.test import *  # noqa: F403
from archive.settings.test import HAYSTACK_CONNECTIONS

HAYSTACK_CONNECTIONS["default"]["PATH"] = os.environ["ARCHIVE_TEST_INDEX"]
