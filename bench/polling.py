"""Polling many feeds at once (issue 10 §1: 1,000 feeds × 20 items at 50 ms latency,
first poll stored ≤ 8 s, re-poll all-304 ≤ 2 s), beside the baselines the issue names,
measured in the same run on the same feeds:

    python bench/polling.py [--feeds 1000] [--concurrency 16]

A local server (127.0.0.1, its own process: its work is not charged to the poller)
answers every feed after 50 ms, with an ETag, and a 304 when asked with it.
Baselines: a sequential `feedparser.parse` loop (on the first 100 feeds, scaled to
all: the whole loop would take minutes), and 16 threads of httpx + feedparser
(parse only, nothing stored). Dépêche: `FeedPoller.poll_all` with [fetch]
concurrency (default 16) and per_host set to the same (every feed is on 127.0.0.1,
where per_host = 2 would measure one host's limit, not the pool), every item stored
in a SQLite file; then the re-poll, all answered 304.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import httpx

from bot.app import open_app
from bot.config import load
from bot.pipeline.polling import FeedPoller

ROOT = Path(__file__).resolve().parents[1]
LATENCY = 0.05
ITEMS = 20
SEQUENTIAL_SAMPLE = 100


# Words of the French pairs written for the cluster tests: each item below draws its own,
# so the 20,000 items tell 20,000 different stories (neither dedup nor the clustering
# joins them) and the near-duplicate lookup runs for each, as it would on real wires.
WORDS = sorted(
    set(re.findall(r"\b[a-zà-ÿ]{5,}\b", (ROOT / "tests/cluster/data/pairs.toml").read_text()))
)


def feed_body(number: int) -> bytes:
    items = []
    for n in range(ITEMS):
        draw = random.Random(number * ITEMS + n)
        title = " ".join(draw.sample(WORDS, 8)).capitalize()
        text = " ".join(draw.sample(WORDS, 40)).capitalize() + "."
        items.append(
            f'<item><guid isPermaLink="false">commune-{number}-{n}</guid>'
            f"<title>{title}</title><description>{text}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Commune {number}</title>{''.join(items)}</channel></rss>"
    ).encode()


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


def timed(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16, help="[fetch] concurrency")
    options = parser.parse_args()
    count = options.feeds
    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=10)}"
    urls = [f"{base}/feed/{n}" for n in range(count)]
    with tempfile.TemporaryDirectory() as folder:
        toml = Path(folder) / "bot.toml"
        feeds = "".join(f'[[feeds]]\nurl = "{url}"\n' for url in urls)
        toml.write_text(
            f'[database]\nurl = "sqlite:///{folder}/depeche.db"\n'
            f"[fetch]\nallow_private = true\nconcurrency = {options.concurrency}\n"
            f"per_host = {options.concurrency}\n" + feeds,
            encoding="utf-8",
        )
        config = load(toml, environ={})
        app = open_app(config)
        poller = FeedPoller(config, app.sessions)
        poller.sync()

        sample = urls[:SEQUENTIAL_SAMPLE]
        seq, _ = timed(lambda: [feedparser.parse(url) for url in sample])
        sequential = seq * count / len(sample)
        threads_first, parsed = timed(lambda: threads_baseline(urls, etags=False))
        first, outcomes = timed(lambda: poller.poll_all(poller.due(all_feeds=True)))
        stored = sum(o.new for o in outcomes)
        threads_again, _ = timed(lambda: threads_baseline(urls, etags=True))
        again, outcomes_again = timed(lambda: poller.poll_all(poller.due(all_feeds=True)))
        not_modified = sum(o.not_modified for o in outcomes_again)
        app.close()
    server.terminate()

    print(f"{count} feeds × {ITEMS} items, {LATENCY * 1000:.0f} ms latency, 127.0.0.1")
    print(
        f"first poll: Dépêche {first:.2f} s ({stored} items stored; target ≤ 8 s at 1,000 feeds)"
        f" | 16 threads httpx + feedparser {threads_first:.2f} s ({parsed} items parsed, none"
        f" stored) | sequential feedparser.parse {sequential:.1f} s (measured on"
        f" {len(sample)} feeds: {seq:.2f} s)"
    )
    print(
        f"re-poll, all 304: Dépêche {again:.2f} s ({not_modified} not modified; target ≤ 2 s)"
        f" | 16 threads httpx {threads_again:.2f} s"
    )


if __name__ == "__main__":
    main()
