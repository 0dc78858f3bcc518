"""Documents parsed in other processes when a poll has many feeds (bot.feeds.processes):
every item stored as in the fetch threads, a pool whose worker died replaced, and no
process left behind by a bot killed with SIGKILL in the middle of a poll."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cluster import fingerprint
from bot.config import load
from bot.feeds.parse import parse_feed
from bot.feeds.processes import PARSE_IN_PROCESSES_FROM, ParserPool
from bot.store import Story, digest
from bot.store.dedup import item_keys
from bot.store.digest import digest_all
from tests.cluster.test_sources import EVENTS, telling
from tests.conftest import write_config
from tests.feeds.test_polling_pool import polled
from tests.proctree import alive, descendants
from tests.servers.web import Reply, WebServer

pytestmark = pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="Linux only")

XML = {"Content-Type": "application/rss+xml"}
ITEMS = 2


def _feed(number: int) -> str:
    items = "".join(
        f"<item><guid>bourg-{number}-{n}</guid><title>Bourg {number} : séance {n}</title>"
        f"<description>Le conseil du bourg {number} a tenu sa séance {n}.</description></item>"
        for n in range(ITEMS)
    )
    return f'<rss version="2.0"><channel><title>Bourg {number}</title>{items}</channel></rss>'


def _serve(web: WebServer, count: int, delay: float = 0.0) -> list[str]:
    return [
        web.route(f"/bourg/{n}", Reply(body=_feed(n), headers=XML, delay=delay))
        for n in range(count)
    ]


def test_many_feeds_are_parsed_in_processes_and_every_item_stored(
    tmp_path: Path, web_server: WebServer
):
    urls = _serve(web_server, PARSE_IN_PROCESSES_FROM)
    config = load(write_config(tmp_path, feeds=[{"url": u} for u in urls]), environ={})
    with polled(config) as (outcomes, sessions), sessions() as session:
        titles = set(session.scalars(select(Story.title)))
        stored = session.scalar(select(func.count()).select_from(Story))

    assert [o.error for o in outcomes] == [None] * len(urls)
    assert stored == len(titles) == PARSE_IN_PROCESSES_FROM * ITEMS
    assert "Bourg 63 : séance 1" in titles


def test_a_pool_whose_worker_died_is_replaced_and_the_document_read():
    document = _feed(7).encode()
    expected = parse_feed(document, base_url="https://example.test/bourg/7")
    pool = ParserPool(workers=2)
    try:
        assert pool.parse(document, base_url="https://example.test/bourg/7") == expected
        workers = [pid for pid, depth in descendants(os.getpid()).items() if depth == 2]
        assert workers  # under the forkserver, our child
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        assert pool.parse(document, base_url="https://example.test/bourg/7") == expected
    finally:
        pool.close()


def test_the_workers_give_each_item_the_keys_and_fingerprint_the_store_would_work_out():
    """bot.store.digest run in the parsing process: the same values as in this thread."""
    told = [telling(event, 0) for event in list(EVENTS)[:3]]
    items = "".join(
        f"<item><guid>g{n}</guid><link>https://fil.example/{n}?utm_source=x</link>"
        f"<title>{t.title}</title><description>{t.text}</description></item>"
        for n, t in enumerate(told)
    )
    document = f'<rss version="2.0"><channel><title>Fil</title>{items}</channel></rss>'.encode()
    pool = ParserPool(workers=2, prepare=digest_all)
    try:
        parsed = pool.parse(document)
    finally:
        pool.close()
    assert len(parsed.items) == 3
    for item in parsed.items:
        assert item.digest is not None
        assert list(item.digest.keys) == item_keys(item)
        expected = fingerprint(item.title, item.text)
        assert item.digest.signature == expected.to_bytes()
        assert digest.fingerprint(item).buckets == expected.buckets


def test_ctrl_c_and_sigterm_to_the_group_leave_the_workers_to_the_bot():
    document = _feed(3).encode()
    pool = ParserPool(workers=2)
    try:
        pool.parse(document)
        workers = [pid for pid, depth in descendants(os.getpid()).items() if depth == 2]
        for pid in workers:
            os.kill(pid, signal.SIGINT)
            os.kill(pid, signal.SIGTERM)
        assert pool.parse(document) == parse_feed(document)
        assert all(alive(pid) for pid in workers)  # the same workers: none died
    finally:
        pool.close()


def test_no_parse_process_outlives_a_bot_killed_in_the_middle_of_a_poll(
    tmp_path: Path, web_server: WebServer
):
    # 80 feeds answering in 0.2 s, two at a time on one host: a poll of about 8 s.
    urls = _serve(web_server, 80, delay=0.2)
    config = write_config(tmp_path, feeds=[{"url": u} for u in urls])
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "run", "--once"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not any(depth == 2 for depth in descendants(bot.pid).values()):
            assert bot.poll() is None and time.monotonic() < deadline, "no parse process"
            time.sleep(0.05)
        left = descendants(bot.pid)
        bot.kill()
        bot.wait()
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in left) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in left if alive(pid)] == []
    finally:
        if bot.poll() is None:
            bot.kill()
