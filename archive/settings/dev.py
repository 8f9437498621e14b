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
# ...and the demo moderator a second factor with this published key (the
# RFC 6238 test key; base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ). Never a real one.
DEMO_MODERATOR_TOTP_KEY = "3132333435363738393031323334353637383930"
