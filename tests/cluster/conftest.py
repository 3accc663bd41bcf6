"""Fixtures for the cluster tests (marked `cluster`): one cluster per session, on a private
PostgreSQL and Redis. Skipped with the reason when nginx or the servers' binaries are missing,
failed instead under CI (CI=true), where `make test` installs nginx."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.harness import Cluster, PrivatePostgres, PrivateRedis, missing_tools

STALE_SECONDS = 6


@pytest.fixture(scope="session")
def cluster_tools() -> None:
    missing = missing_tools()
    if missing:
        message = "cluster tests need " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def private_postgres(cluster_tools: None) -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.start()
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def private_redis(cluster_tools: None) -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cluster(private_postgres: PrivatePostgres, private_redis: PrivateRedis,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root: Path = tmp_path_factory.mktemp("cluster")
    running = Cluster(root, private_postgres.url, private_redis.url,
                      WEBCLIENT_RUN_STALE_SECONDS=str(STALE_SECONDS), WEBCLIENT_LOG_FORMAT="json")
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def owner_token(cluster: Cluster) -> str:
    return cluster.token_for("olga")
