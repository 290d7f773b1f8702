"""The geography loaded from the shipped files, once per test (it takes a fraction of a second)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comuna.geography import maps, queries
from comuna.geography.actions import LoadResult, geography_load


@pytest.fixture(autouse=True)
def _fresh_geography_caches() -> Iterator[None]:
    """The outline caches live as long as the process; the test database does not."""
    queries.clear_caches()
    maps.clear_caches()
    yield
    queries.clear_caches()
    maps.clear_caches()


@pytest.fixture
def geography(db: None) -> LoadResult:
    return geography_load()
