import pytest
from django.contrib.auth.models import AnonymousUser, Group
from haystack import connections

from tests import factories


@pytest.fixture(autouse=True)
def search_index():
    """A real Whoosh index in the test run's temp folder, emptied per test.

    Emptied under the write lock rather than deleted, so that a live server
    thread holding the same index sees the change."""
    backend = connections["default"].get_backend()
    backend.clear()
    yield backend
    backend.clear()


@pytest.fixture
def gazetteer(db):
    from testimonies.gazetteer import gazetteer_load_country

    gazetteer_load_country("SY")


def _user_in(role):
    user = factories.UserFactory(username=role)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def documenter(db):
    return _user_in("documenter")


@pytest.fixture
def researcher(db):
    return _user_in("researcher")


@pytest.fixture
def moderator(db):
    return _user_in("moderator")


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
def client_for(client):
    """A test client logged in as `user` (or anonymous)."""

    def make(user):
        client.logout()
        if user is not None and user.is_authenticated:
            client.force_login(user)
        return client

    return make
