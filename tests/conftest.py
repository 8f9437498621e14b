import asyncio
import copy
import datetime
import gc
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.backends.base.creation import BaseDatabaseCreation
from django.test.testcases import TransactionTestCase
from django.utils import translation
from haystack import connections

from tests import factories, scheduling
from tests.databases import (
    ON_POSTGRESQL,
    SAME_ON_EVERY_DATABASE,
    baseline_kept,
    baseline_restored_after,
    database_emptied,
    restore_baseline,
    touches_the_database,
)

# After each test whose writes commit, the baseline rows come back in one
# INSERT per table (tests/databases.py).
BaseDatabaseCreation.deserialize_db_from_string = restore_baseline
# ... and they come back as soon as such a test has flushed the database, not
# only before the next such test: a test in a rolled-back transaction that
# runs after one (in whatever order a worker takes its tests) finds the role
# groups and vocabularies the migrations wrote.
TransactionTestCase._fixture_teardown = baseline_restored_after(
    TransactionTestCase._fixture_teardown
)


# Last, once the e2e folder has marked its tests `browser`.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The PostgreSQL run (make test-postgres) runs what can differ there:
    every test that touches the database. The rest (text analysis, the
    redaction's spellings, the architecture checks, the installations that
    run their own SQLite) ran in the SQLite run already.

    Then the long tests go first in every worker's share (tests/scheduling.py)."""
    if ON_POSTGRESQL:
        same = pytest.mark.skip(reason=SAME_ON_EVERY_DATABASE)
        for item in items:
            if not touches_the_database(item):
                item.add_marker(same)
    items[:] = scheduling.long_first(items, scheduling.workers())


def pytest_collection_finish(session):
    """Python's collector, set for a long run of short tests. What is alive
    once the tests are collected (Django, the apps, the collected tests)
    lives to the end: frozen, the collector no longer walks it again and
    again; and it runs after 10,000 new objects rather than 700. `make
    test-fast`, run alternately with and without: 106 and 99 s against 113
    and 113 s, the workers' CPU a tenth less. The product's processes keep
    Python's defaults."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory, worker_id):
    """A temp folder the whole run shares: the xdist workers' own temp
    folders sit side by side in it."""
    own = tmp_path_factory.getbasetemp()
    return own if worker_id == "master" else own.parent


@pytest.fixture(scope="session")
def prepared_installation(run_folder):
    """One prepared data folder for the run's throwaway installations
    (tests/installation.py), shared by the xdist workers."""
    from tests.installation import prepared_installation

    return prepared_installation(run_folder)


@pytest.fixture(scope="session")
def migrated_database(run_folder):
    """`migrated_database(folder)` leaves a new installation's data folder
    as its `manage.py migrate` would (a migrated SQLite database), from one
    made once for the run (tests/installation.py)."""
    from tests.installation import migrated_installation

    template = migrated_installation(run_folder)

    def into(folder):
        shutil.copytree(template, folder, dirs_exist_ok=True)

    return into


# Index folder -> its files as the last emptying left them.
_LEFT_EMPTY: dict[str, tuple] = {}


def _index_files(folder: str) -> tuple:
    """Every file of the index folder, by name, inode, size and time: any
    write (a commit makes a new table of contents and segment files, a
    recreated index new files) changes it."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return ()
    return tuple(
        sorted(
            (entry.name, entry.inode(), entry.stat().st_size, entry.stat().st_mtime_ns)
            for entry in entries
        )
    )


def _emptied(backend):
    """Empty the index, unless nothing has touched its files since it was
    last emptied here: most tests never write it, and emptying it anyway (a
    commit under the write lock, the schema read back) cost twice ten
    milliseconds for each of the suite's tests."""
    folder = getattr(backend, "path", None)
    if folder is not None and _LEFT_EMPTY.get(folder) == _index_files(folder):
        return
    backend.clear()
    if folder is not None:
        _LEFT_EMPTY[folder] = _index_files(folder)


BROWSER_TESTS = Path(__file__).parent / "e2e"


@pytest.fixture(scope="module", autouse=True)
def no_browser_loop_beside(request):
    """No module of other tests runs beside a browser's event loop, nor with
    Django told to allow the ORM under one: a browser kept from the browser
    modules before is closed first (tests/e2e/conftest.py)."""
    if BROWSER_TESTS not in Path(request.node.path).parents:
        assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
        with pytest.raises(RuntimeError):
            asyncio.get_running_loop()


@pytest.fixture(autouse=True)
def search_index(request):
    """A real Whoosh index in the test run's temp folder, empty at the start
    and at the end of each test (of a module marked `index_kept`: of the
    module, whose fixture built it).

    Emptied under the write lock rather than deleted, so that a live server
    thread holding the same index sees the change."""
    backend = connections["default"].get_backend()
    if request.node.get_closest_marker("index_kept"):
        yield backend
        return
    _emptied(backend)
    yield backend
    _emptied(backend)


@pytest.fixture(scope="module")
def built_once(django_db_setup, django_db_blocker):
    """`built_once(build)`: what `build()` writes (testimonies, their index
    documents), committed once for the module, which must be marked
    `index_kept` and whose tests must only read (`django_db`: each test's
    own writes roll back). On PostgreSQL the documents reach its full-text
    engine too, for `each_engine`. The database and index are emptied when
    the module ends."""
    from search.indexing import testimonies_reindex
    from testimonies.models import Testimony
    from tests.search.engines import POSTGRES_CONNECTION, engine_use

    with django_db_blocker.unblock():
        baseline_kept()

    def build_with(build):
        with django_db_blocker.unblock():
            built = build()
            if ON_POSTGRESQL:
                replaced = engine_use(POSTGRES_CONNECTION)
                try:
                    everything = Testimony.objects.values_list("pk", flat=True)
                    testimonies_reindex(list(everything))
                finally:
                    engine_use(replaced)
        return built

    yield build_with
    with django_db_blocker.unblock():
        database_emptied()
        connections["default"].get_backend().clear()


@pytest.fixture(autouse=True)
def empty_cache():
    """Request counters and wrong-password counts live in the cache (local
    memory in tests): each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English: a request in Arabic activates Arabic for
    the thread, which would otherwise leak into the next test."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def gazetteer_rows_sy():
    """Syria's gazetteer rows, read once per worker: building them (the
    curated file, ISO 3166-2 and the GeoNames dump) takes longer than
    loading them. What `gazetteer_load_country("SY")` loads."""
    from testimonies.places.sources import gazetteer_rows

    return gazetteer_rows("SY")


@pytest.fixture
def gazetteer(db, gazetteer_rows_sy):
    """Syria's real gazetteer in this test's database, loaded as
    `load_gazetteer SY` does (a copy of the rows: none is shared)."""
    from testimonies.places.gazetteer import gazetteer_load

    gazetteer_load(copy.deepcopy(gazetteer_rows_sy))


@pytest.fixture(scope="module")
def gazetteer_once(built_once, gazetteer_rows_sy):
    """`gazetteer`, loaded once for a module marked `index_kept` whose tests
    only read it (with `django_db`)."""
    from testimonies.places.gazetteer import gazetteer_load

    built_once(lambda: gazetteer_load(copy.deepcopy(gazetteer_rows_sy)))


@pytest.fixture
def documenter(db):
    return factories.user_in("documenter")


@pytest.fixture
def researcher(db):
    return factories.user_in("researcher")


@pytest.fixture
def moderator(db):
    return factories.user_in("moderator")


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def users(anonymous, researcher, documenter, moderator):
    return {
        "anonymous": anonymous,
        "researcher": researcher,
        "documenter": documenter,
        "moderator": moderator,
    }


@pytest.fixture
def second_factor():
    """Give `user` a TOTP device; returns the device (its key drives tokens)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def make(user):
        return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    return make


def _signed_out(client) -> None:
    """Log the client out if it holds a session. Django's logout on a client
    that never had one first creates and saves a session to log out of."""
    if settings.SESSION_COOKIE_NAME in client.cookies:
        client.logout()


@pytest.fixture
def client_for(client):
    """A test client logged in as `user` (or anonymous) as that user works
    day to day: a moderator's session has passed the second factor.
    `verified=False` leaves a moderator's session without it."""
    from archive.roles import Role, role_of

    def make(user, *, verified=True):
        _signed_out(client)
        if user is not None and user.is_authenticated:
            client.force_login(user)
            if verified and role_of(user) is Role.MODERATOR:
                factories.second_factor_passed(client, user)
        return client

    return make


@pytest.fixture
def verified_client_for(client):
    """A test client logged in as `user` whose session passed a second
    factor, whatever the user's role."""

    def make(user):
        _signed_out(client)
        client.force_login(user)
        factories.second_factor_passed(client, user)
        return client

    return make


@pytest.fixture
def coast():
    """A small gazetteer: Syria > two governorates > towns > a neighbourhood."""
    return factories.coast()


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def archive(coast, documenter):
    """Testimonies across places, dates and consent, named for the tests."""
    return archive_testimonies(coast, documenter)


@pytest.fixture(scope="module")
def archive_once(built_once):
    """`archive`, built once for a module marked `index_kept` whose tests
    only read it (with `django_db`); the `users` fixtures find the same
    documenter, since users are got or created by name."""
    return built_once(
        lambda: archive_testimonies(factories.coast(), factories.user_in("documenter"))
    )


def archive_testimonies(coast, documenter) -> dict:
    with factories.together():
        T = factories.testimony
        return {
            "kusour": T(
                witness_name="Ayman Fares",
                narrative=(
                    "I am Ayman Fares. Gunmen robbed me in Hai Al Kusour, Banias."
                ),
                places=[coast["hai-al-kusour"]],
                event_types=("killing", "looting"),
                incident=(day("2025-03-07"), day("2025-03-08")),
            ),
            "banias": T(
                witness_name="Ali Haidar",
                narrative="Sunni neighbours hid Ali and led him out of Banias.",
                places=[coast["banias"]],
                communities=("alawite", "sunni"),
                event_types=("killing",),
                incident=(day("2025-03-08"), day("2025-03-09")),
            ),
            "jableh": T(
                narrative="في جبلة سمعنا إطلاق النار طوال الليل.",
                language="ar",
                places=[coast["jableh"]],
                event_types=("threat",),
                incident=(day("2025-03-01"), day("2025-03-31")),
                precision="month",
            ),
            "tartus-2013": T(
                narrative="My brother was detained at a checkpoint in Tartus in 2013.",
                places=[coast["tartus"]],
                communities=("sunni",),
                event_types=("arbitrary-detention",),
                incident=(day("2013-01-01"), day("2013-12-31")),
                precision="year",
            ),
            "researchers-only": T(
                narrative="Banias researchers-only account of looting.",
                places=[coast["banias"]],
                event_types=("looting",),
                consent={"archive": True, "researchers": True},
            ),
            "embargoed": T(
                narrative="Banias embargoed account.",
                places=[coast["banias"]],
                consent={
                    "archive": True,
                    "researchers": True,
                    "public": True,
                    "embargo_until": day("2099-01-01"),
                },  # fmt: skip
            ),
            "submitted-own": T(
                narrative="Banias account still under review.",
                places=[coast["banias"]],
                status="submitted",
                recorded_by=documenter,
            ),
        }
