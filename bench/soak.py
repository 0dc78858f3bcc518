"""The daemon for a long run through outages: memory, open files, threads and lag.

    python3 bench/soak.py [--minutes 15]

Runs `depeche daemon` (this tree's code) on a throwaway PostgreSQL cluster on its own
port (Debian's initdb/pg_ctl, as `postgres` when run as root), against a feed on
127.0.0.1 that grows by one item every 20 s (the ten distinct stories of the test
harness, then their copies, which dedup stores as duplicates), and a scripted model.
Outages, as fractions of the run: the model answers 500 from 20 % to 35 %, the
database is stopped from 55 % to 62 %. Every minute it prints the daemon's resident
memory, open file descriptors and threads, beside the first minute's figures measured
in this same run (the baseline: flat is the target), and the lag from a story stored
to its draft published. At the end: stories stored, published, published twice, lost;
and the breakers' lines and the whole log's length.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import write_config  # noqa: E402
from tests.faults.harness import BotProcess, good_answer, rss, wire_stories  # noqa: E402
from tests.outages.daemon import process_figures, stop, transitions  # noqa: E402
from tests.outages.pgcluster import Cluster, NoServer, throwaway_cluster  # noqa: E402
from tests.servers.llm import ScriptedLLM, Step, error  # noqa: E402
from tests.servers.web import Reply, WebServer  # noqa: E402

ROWS = "SELECT id, state, post_id, fetched_at, state_changed_at FROM stories ORDER BY id"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=15)
    seconds = parser.parse_args().minutes * 60
    try:
        with throwaway_cluster("depeche-soak-pg-") as cluster:
            run(cluster, seconds)
    except NoServer as missing:
        sys.exit(str(missing))


def run(cluster: Cluster, seconds: float) -> None:
    work = Path(tempfile.mkdtemp(prefix="depeche-soak-"))
    with WebServer() as web, WebServer() as model_web:
        llm = ScriptedLLM(model_web)
        started = time.monotonic()

        def model(_request: dict[str, Any]) -> Step:
            share = (time.monotonic() - started) / seconds
            return error(500) if 0.20 <= share < 0.35 else good_answer()

        llm.default = model
        items = 1
        feed = web.route("/rss", Reply(body=rss(wire_stories(1))))
        config = write_config(
            work,
            feeds=[{"url": feed, "every": "10s"}],
            database={"url": cluster.url},
            llm={"base_url": llm.base_url, "attempts": 2, "timeout": 30},
            scheduler={"write_every": 5, "publish_every": 5, "jitter": 0},
        )
        bot = BotProcess(config, {"OPENAI_API_KEY": "sk-bench-throwaway"})
        log = (work / "daemon.log").open("w")
        # The log to a file, not a pipe: a pipe nobody reads for 15 minutes would fill up.
        daemon = subprocess.Popen(
            bot.command("daemon"),
            env=bot.environment(),
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        stopped = False
        samples: list[tuple[int, int, int]] = []
        next_sample = started + 60
        try:
            while (elapsed := time.monotonic() - started) < seconds:
                share = elapsed / seconds
                wanted = 1 + int(elapsed // 20)
                if wanted != items:
                    items = wanted
                    distinct = wire_stories(min(items, 10))
                    copies = [
                        s for n in range(10, items) for s in wire_stories(1, f"copy{n}", n % 10)
                    ]
                    web.route("/rss", Reply(body=rss(distinct + copies)))
                if 0.55 <= share < 0.62 and not stopped:
                    cluster.stop()
                    stopped = True
                elif share >= 0.62 and stopped:
                    cluster.start()
                    stopped = False
                if time.monotonic() >= next_sample:
                    next_sample += 60
                    samples.append(process_figures(daemon.pid))
                    memory, fds, threads = samples[-1]
                    first = samples[0]
                    print(
                        f"minute {len(samples):>2}: {memory // 1024} MB "
                        f"(minute 1: {first[0] // 1024}), "
                        f"{fds} fds ({first[1]}), {threads} threads ({first[2]})",
                        flush=True,
                    )
                time.sleep(1)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                rows = cluster.rows(ROWS)
                if rows and all(r["state"] in ("published", "duplicate") for r in rows):
                    break
                time.sleep(2)
        finally:
            stop(daemon, timeout=30)
            log.close()
    stderr = (work / "daemon.log").read_text(encoding="utf-8")
    rows = cluster.rows(ROWS)
    written = [r for r in rows if r["state"] != "duplicate"]
    posts = [r["post_id"] for r in written if r["post_id"]]
    lags = [
        (r["state_changed_at"] - r["fetched_at"]).total_seconds()
        for r in written
        if r["state"] == "published"
    ]
    lines = stderr.splitlines()
    print(
        f"stories: {len(rows)} stored, {len(written)} to write, {len(posts)} published, "
        f"{len(posts) - len(set(posts))} twice, {len(written) - len(posts)} lost"
    )
    if lags:
        print(
            f"lag stored → published: median {statistics.median(lags):.0f} s, "
            f"max {max(lags):.0f} s (the outages included)"
        )
    for breaker in ("model server", "database"):
        down, up = transitions(stderr, breaker)
        print(f"{breaker}: {down} « unavailable » line(s), {up} « available again »")
    print(
        f"log: {len(lines)} lines, {sum('Traceback' in line for line in lines)} tracebacks, "
        f"{sum('maximum number of running instances' in line for line in lines)} scheduler "
        f"warnings; kept in {work / 'daemon.log'}"
    )


if __name__ == "__main__":
    main()
