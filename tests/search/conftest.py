"""Fixtures of the search tests."""

import pytest

from tests.search.engines import each_engine, postgres_engine  # noqa: F401


@pytest.fixture
def exporter(users, client_for, verified_client_for):
    """`exporter(role)`: a client for a role allowed to export, a
    moderator's verified."""

    def make(role):
        if role == "moderator":
            return verified_client_for(users[role])
        return client_for(users[role])

    return make
