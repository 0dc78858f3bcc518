"""Fixtures shared by the whole suite: real servers, real databases, a bot.toml per test."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.store import Feed, make_engine, session_factory, upgrade
from bot.store.db import _alembic_config
from tests.servers.llm import llm  # noqa: F401  (fixture)
from tests.servers.web import web_server  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN = os.environ.get(
    "DEPECHE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

# Tests never inherit a developer's real keys or sites.
for name in (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DEPECHE_CONFIG",
    "DEPECHE_DATABASE_URL",
    "DEPECHE_LLM_MODEL",
    "DEPECHE_PUBLISH_TARGET",
    "DEPECHE_OUTBOX_DIR",
    "DEPECHE_WP_URL",
    "DEPECHE_WP_USER",
    "DEPECHE_WP_APP_PASSWORD",
):
    os.environ.pop(name, None)
# Nor a terminal's size: bot.cli.render's console keeps the COLUMNS it finds when imported,
# over the width a test's CliRunner sets (an xdist worker starts with COLUMNS=80).
for name in ("COLUMNS", "LINES"):
    os.environ.pop(name, None)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups off the items
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The one WordPress of scripts/wordpress.sh is shared state (posts, users, mu-plugins,
    `reset`): its tests run in one xdist worker, one after another (`--dist loadgroup`),
    whether they reach it by the marker or by the fixture."""
    for item in items:
        if item.get_closest_marker("wordpress") or "wordpress" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.xdist_group("wordpress"))


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")  # after xdist's
def pytest_collection_modifyitems_xdist_groups(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """`--dist loadgroup` finds a test's group in its node id: pytest-xdist 3.8 appends it
    (`…::test_x@wordpress`) to `_nodeid`, a field pytest 9.2 no longer reads (node ids are
    structured, in `_id`), so the groups were silently dropped and two workers shared the
    WordPress (pytest-dev/pytest-xdist#1386). Carried over to `_id` here, until xdist does
    it; tests/test_workers.py fails if a group is dropped again."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        grouped = getattr(item, "_nodeid", item.nodeid)
        if grouped != item.nodeid and hasattr(item, "_id"):
            item._id = type(item._id).parse(grouped)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the real PostgreSQL server, dropped afterwards."""
    name = f"depeche_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in the test's folder, where write_config's bot.toml puts it."""
    return f"sqlite:///{tmp_path / 'depeche.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@contextmanager
def migrated_sessions(url: str, **engine_options: Any) -> Iterator[sessionmaker[Session]]:
    """Sessions on the database at `url`, migrated to the last revision as a run does;
    its engine (make_engine's options) disposed of afterwards."""
    engine = make_engine(url, **engine_options)
    upgrade(engine)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database: a SQLite file, then the real PostgreSQL (a module
    that needs one of them alone overrides `database_url`)."""
    with migrated_sessions(database_url) as factory:
        yield factory


def database_at(folder: Path, revision: str) -> Engine:
    """A SQLite file as an older Dépêche left it: migrated up to `revision` only, for a
    test that fills it the old way, then upgrades it."""
    engine = make_engine(f"sqlite:///{folder / 'old.db'}")
    command.upgrade(_alembic_config(engine), revision)
    return engine


def add_feeds(sessions: sessionmaker[Session], *urls: str) -> None:
    with sessions() as session:
        session.add_all([Feed(url=url) for url in urls])
        session.commit()


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def write_config(folder: Path, *, feeds: list[dict[str, Any]], **sections: dict[str, Any]) -> Path:
    """A bot.toml in `folder`: database and outbox inside it, private fetches allowed
    (the test servers live on 127.0.0.1), fast retries; a story a feed's later poll brings
    is written at once (`[cluster] wait`: the tests of the wait set it)."""
    defaults: dict[str, dict[str, Any]] = {
        "database": {"url": f"sqlite:///{folder / 'depeche.db'}"},
        "publish": {"target": "outbox", "outbox_dir": str(folder / "outbox")},
        "fetch": {"allow_private": True, "timeout": 5},
        "llm": {"attempts": 2, "timeout": 10},
        "writer": {"prompts_dir": str(ROOT / "config" / "prompts")},
        "cluster": {"wait": "0"},
    }
    for name, values in sections.items():
        defaults[name] = {**defaults.get(name, {}), **values}
    lines = []
    for name, values in defaults.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in values.items())
        lines.append("")
    for feed in feeds:
        lines.append("[[feeds]]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in feed.items())
        lines.append("")
    path = folder / "bot.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Path]:
    def make(**kwargs: Any) -> Path:
        return write_config(tmp_path, **kwargs)

    return make


@contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[None]:
    """A small file system of its own at `folder` (read-only, or full): root only,
    as in CI; skipped elsewhere."""
    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root")
    folder.mkdir(exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True)
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)
