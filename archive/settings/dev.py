"""Development settings: the demo archive on one laptop."""

from archive.settings.base import *  # noqa: F403
from archive.settings.base import ARCHIVE_SIGNING_KEY, DATA_DIR, VAULT_MASTER_KEY

DEBUG = True
SECRET_KEY = "dev-only-insecure-secret-key-never-use-in-production"  # noqa: S105
PSEUDONYM_KEY = "dev-only-pseudonym-key"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATA_DIR.mkdir(parents=True, exist_ok=True)
# Mail (invitations, password resets) is printed where runserver runs.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Demo accounts (README, Run it) get these passwords only under dev settings.
DEMO_ACCOUNTS_PASSWORD = "archive-demo-2025"  # noqa: S105
# ...and the demo moderator a second factor with this published key (the
# RFC 6238 test key; base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ). Never a real one.
DEMO_MODERATOR_TOTP_KEY = "3132333435363738393031323334353637383930"

# A master key for this laptop's vault, made once into a git-ignored file
# (never for production: there it comes from ARCHIVE_MASTER_KEY).
if not VAULT_MASTER_KEY:
    _key_file = DATA_DIR / "master.key"
    if not _key_file.exists():
        import base64
        import os

        _key_file.touch(mode=0o600)
        _key_file.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
    VAULT_MASTER_KEY = _key_file.read_text().strip()

# The same for the key that signs accountability packages (never for
# production: there it comes from ARCHIVE_SIGNING_KEY).
if not ARCHIVE_SIGNING_KEY:
    _signing_file = DATA_DIR / "signing.key"
    if not _signing_file.exists():
        import base64
        import os

        # An Ed25519 private key is any 32 random bytes.
        _signing_file.touch(mode=0o600)
        _signing_file.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
    ARCHIVE_SIGNING_KEY = _signing_file.read_text().strip()
