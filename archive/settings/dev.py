"""Development settings: the demo archive on one laptop."""

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = True
SECRET_KEY = "dev-only-insecure-secret-key-never-use-in-production"  # noqa: S105
PSEUDONYM_KEY = "dev-only-pseudonym-key"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATA_DIR.mkdir(parents=True, exist_ok=True)

# Demo accounts (README) get these passwords only under dev settings.
DEMO_ACCOUNTS_PASSWORD = "archive-demo-2025"  # noqa: S105
