"""Fixtures of the search tests."""

from tests.search.engines import each_engine, postgres_engine  # noqa: F401
