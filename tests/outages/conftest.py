"""Fixtures of the outage tests: a throwaway PostgreSQL cluster to stop under the bot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.outages.pgcluster import Cluster, NoServer, throwaway_cluster


@pytest.fixture
def pg_cluster() -> Iterator[Cluster]:
    try:
        with throwaway_cluster() as cluster:
            yield cluster
    except NoServer as missing:
        pytest.skip(str(missing))
