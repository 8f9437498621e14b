"""A file-based cache whose counters hold across processes.

Django's FileBasedCache writes each entry atomically (a temporary file moved
into place) but its add() is "check, then write" and its incr() is "read,
then write": two server processes counting the same client at once can both
read 5 and both write 6, so a limit would let through more than it should.
Here add() and incr() run under an exclusive lock on one file in the cache
folder, shared by every process on the machine, and incr() keeps the entry's
expiry instead of restarting it.
"""

import os
import pickle
import time
import zlib
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class LockingFileBasedCache(FileBasedCache):
    """FileBasedCache with atomic add() and incr() across processes."""

    lock_name = "counters.lock"  # not *.djcache: never culled or cleared

    @contextmanager
    def _locked(self):
        self._createdir()
        with open(os.path.join(self._dir, self.lock_name), "ab") as lock_file:
            locks.lock(lock_file, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock_file)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._locked():
            fname = self._key_to_file(key, version)
            try:
                with open(fname, "rb") as f:
                    if self._is_expired(f):
                        raise ValueError(f"Key '{key}' not found")
                    # _is_expired has read the expiry; read it again to keep it.
                    # Unpickling as Django's own get() does: the folder is
                    # the cache's, mode 0700, written by this code only.
                    f.seek(0)
                    expiry = pickle.load(f)  # noqa: S301
                    value = pickle.loads(zlib.decompress(f.read()))  # noqa: S301
            except FileNotFoundError:
                raise ValueError(f"Key '{key}' not found") from None
            new_value = value + delta
            # The time left, not a fresh timeout: a counter must end with
            # the window it counts, however often it is incremented.
            timeout = None if expiry is None else max(expiry - time.time(), 0.001)
            self.set(key, new_value, timeout, version)
            return new_value
