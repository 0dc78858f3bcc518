"""Polling many feeds at once (issue 10 §1: 1,000 feeds × 20 items at 50 ms latency,
first poll stored ≤ 8 s, re-poll all-304 ≤ 2 s), beside the baselines the issue names,
measured in the same run on the same feeds:

    python bench/polling.py [--feeds 1000] [--concurrency 64] [--dense]

A local server (127.0.0.1, its own process: its work is not charged to the poller)
answers every feed after 50 ms, with an ETag, and a 304 when asked with it.
Baselines: a sequential `feedparser.parse` loop (on the first 100 feeds, scaled to
all: the whole loop would take minutes), and 16 threads of httpx + feedparser
(parse only, nothing stored). Dépêche: `FeedPoller.poll_all` with [fetch] concurrency
64 (what a newsroom with 1,000 feeds sets: at the default 16, 1,000 requests at 50 ms
cannot take less than 3.1 s) and per_host set to the same (every feed is on 127.0.0.1,
where per_host = 2 would measure one host's limit, not the pool), every item stored
in a SQLite file, with the peak memory of the bot's processes; then the re-poll, all
answered 304, printed beside its floor (feeds / concurrency × 50 ms), and once more at
the default concurrency 16.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cluster_lookup import unrelated_collision_rate  # noqa: E402
from bot.app import App, open_app  # noqa: E402
from bot.cluster import fingerprint  # noqa: E402
from bot.config import load  # noqa: E402
from bot.pipeline.polling import FeedPoller  # noqa: E402
from tests.proctree import descendants, resident_bytes  # noqa: E402

LATENCY = 0.05
ITEMS = 20
SEQUENTIAL_SAMPLE = 100
RATE_SAMPLE = 300  # items whose pairs are compared for the bucket collision rate
DEFAULT_CONCURRENCY = 16  # [fetch] concurrency's default, the issue's


def words_of(paths: list[Path]) -> list[str]:
    found: set[str] = set()
    for path in paths:
        found |= set(re.findall(r"\b[a-zà-ÿ]{5,}\b", path.read_text(encoding="utf-8")))
    return sorted(found)


# Each item draws its own words, so the 20,000 items tell 20,000 different stories
# (neither dedup nor the clustering joins them) and the near-duplicate lookup runs for
# each, as it would on real wires. Drawn from every French data file of the tests
# (~2,900 words), two items share an LSH bucket as often as two unrelated stories of the
# labelled set do (both rates printed); --dense draws from the cluster pairs' 940 words
# alone, four times as often: a stress line for the lookup.
FRENCH = words_of(
    [
        path
        for path in sorted(ROOT.glob("tests/*/data/**/*"))
        if path.suffix in {".json", ".toml"} and not {"english", "languages"} & set(
            re.split(r"[_.-]", path.name)
        )
    ]
)
DENSE = words_of([ROOT / "tests/cluster/data/pairs.toml"])
WORDS = FRENCH


def item_words(number: int) -> tuple[str, str]:
    """The title and text of the bench's item `number`."""
    draw = random.Random(number)
    title = " ".join(draw.sample(WORDS, 8)).capitalize()
    text = " ".join(draw.sample(WORDS, 40)).capitalize() + "."
    return title, text


def feed_body(number: int) -> bytes:
    items = []
    for n in range(ITEMS):
        title, text = item_words(number * ITEMS + n)
        items.append(
            f'<item><guid isPermaLink="false">commune-{number}-{n}</guid>'
            f"<title>{title}</title><description>{text}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Commune {number}</title>{''.join(items)}</channel></rss>"
    ).encode()


def bench_collision_rate() -> float:
    """How often two of the bench's items (all unrelated) share at least one LSH bucket."""
    buckets = [set(fingerprint(*item_words(n)).buckets) for n in range(RATE_SAMPLE)]
    shared = [bool(a & b) for a, b in itertools.combinations(buckets, 2)]
    return sum(shared) / len(shared)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real site

    def do_GET(self) -> None:
        time.sleep(LATENCY)
        number = int(self.path.rsplit("/", 1)[1])
        etag = f'"v{number}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = feed_body(number)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def threads_baseline(urls: list[str], etags: bool) -> int:
    def one(client: httpx.Client, url: str) -> int:
        number = url.rsplit("/", 1)[1]
        headers = {"If-None-Match": f'"v{number}"'} if etags else {}
        response = client.get(url, headers=headers)
        if response.status_code == 304:
            return 0
        return len(feedparser.parse(response.content).entries)

    with httpx.Client(timeout=30) as client, ThreadPoolExecutor(16) as pool:
        return sum(pool.map(lambda url: one(client, url), urls))


def serve(ports: multiprocessing.Queue) -> None:
    server = Server(("127.0.0.1", 0), Handler)
    ports.put(server.server_address[1])
    server.serve_forever()


class TreeMemory:
    """The peak resident memory of this process and of the processes under it but `other`
    (the feed server): the parse processes are the forkserver's children, so the whole
    tree is read from /proc, every 0.25 s."""

    def __init__(self, other: int):
        self.other = other
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.25):  # seldom: the reads take the GIL from the poll
            pids = [os.getpid(), *(p for p in descendants(os.getpid()) if p != self.other)]
            self.peak = max(self.peak, sum(resident_bytes(p) for p in pids))


def timed(work) -> tuple[float, float, object]:
    """Wall and CPU seconds (this process's threads) of `work`, and its result."""
    start, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - start, time.process_time() - cpu, result


def main() -> None:
    global WORDS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument(
        "--concurrency", type=int, default=64, help="[fetch] concurrency (default 64)"
    )
    parser.add_argument(
        "--dense", action="store_true", help="draw the words from the cluster pairs alone"
    )
    options = parser.parse_args()
    WORDS = DENSE if options.dense else FRENCH
    count, concurrency = options.feeds, options.concurrency
    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=10)}"
    urls = [f"{base}/feed/{n}" for n in range(count)]
    with tempfile.TemporaryDirectory() as folder:
        poller, app = _poller(Path(folder), urls, concurrency)
        sample = urls[:SEQUENTIAL_SAMPLE]
        seq, _, _ = timed(lambda: [feedparser.parse(url) for url in sample])
        sequential = seq * count / len(sample)
        threads_first, _, parsed = timed(lambda: threads_baseline(urls, etags=False))
        with TreeMemory(other=server.pid) as memory:
            first, first_cpu, outcomes = timed(
                lambda: poller.poll_all(poller.due(all_feeds=True))
            )
        stored = sum(o.new for o in outcomes)
        threads_again, _, _ = timed(lambda: threads_baseline(urls, etags=True))
        again, again_cpu, outcomes_again = timed(
            lambda: poller.poll_all(poller.due(all_feeds=True))
        )
        not_modified = sum(o.not_modified for o in outcomes_again)
        app.close()
        default_poller, default_app = _poller(Path(folder), urls, DEFAULT_CONCURRENCY)
        at_default, _, _ = timed(
            lambda: default_poller.poll_all(default_poller.due(all_feeds=True))
        )
        default_app.close()
    server.terminate()

    floor = count / concurrency * LATENCY
    print(
        f"{count} feeds × {ITEMS} items, {LATENCY * 1000:.0f} ms latency, 127.0.0.1,"
        f" [fetch] concurrency {concurrency}; load average {_load()}"
    )
    drawn = "--dense: the cluster pairs'" if options.dense else "the tests' French data"
    print(
        f"items' words: {drawn}"
        f" ({len(WORDS)} words): two unrelated items share an LSH bucket"
        f" {bench_collision_rate():.2%} of the time | two unrelated stories of the labelled"
        f" set {unrelated_collision_rate():.2%}"
    )
    print(
        f"first poll: Dépêche {first:.2f} s ({stored} items stored; target ≤ 8 s at 1,000"
        f" feeds; CPU of the bot's process {first_cpu:.1f} s; peak resident memory"
        f" {memory.peak / 2**20:.0f} MB, parse processes included)"
        f" | 16 threads httpx + feedparser {threads_first:.2f} s ({parsed} items parsed, none"
        f" stored) | sequential feedparser.parse {sequential:.1f} s (measured on"
        f" {len(sample)} feeds: {seq:.2f} s)"
    )
    print(
        f"re-poll, all 304: Dépêche {again:.2f} s ({not_modified} not modified; target ≤ 2 s;"
        f" floor {floor:.2f} s = {count}/{concurrency} × {LATENCY} s; CPU"
        f" {again_cpu / count * 1000:.2f} ms a feed) | 16 threads httpx {threads_again:.2f} s"
        f" | Dépêche at the default concurrency {DEFAULT_CONCURRENCY}: {at_default:.2f} s"
        f" (floor {count / DEFAULT_CONCURRENCY * LATENCY:.2f} s)"
    )


def _poller(folder: Path, urls: list[str], concurrency: int) -> tuple[FeedPoller, App]:
    """A poller of `urls` on the SQLite file in `folder`, per_host as wide as the pool
    (every feed is on 127.0.0.1: per_host = 2 would measure one host's limit)."""
    toml = folder / f"bot-{concurrency}.toml"
    feeds = "".join(f'[[feeds]]\nurl = "{url}"\n' for url in urls)
    toml.write_text(
        f'[database]\nurl = "sqlite:///{folder}/depeche.db"\n'
        f"[fetch]\nallow_private = true\nconcurrency = {concurrency}\n"
        f"per_host = {concurrency}\n" + feeds,
        encoding="utf-8",
    )
    config = load(toml, environ={})
    app = open_app(config)
    poller = FeedPoller(config, app.sessions)
    poller.sync()
    return poller, app


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
