"""Several workers on one PostgreSQL database (issue 10: 4 `run --once` worker
processes, the same 64 stories, `[llm] concurrency = 1` each: ≥ 3.5 × one worker; 64
drafts, 64 posts, 0 written twice), beside one worker measured in the same run:

    python bench/workers.py [stories] [baseline_stories]     (default 64 and 16)

The scripted OpenAI-compatible server of the tests answers every call after 2 s with a
draft that passes the gate; the drafts go to one shared outbox. The stories are stored
first (not timed) in a fresh database on the PostgreSQL server of the tests
(DEPECHE_TEST_POSTGRES, else postgres@127.0.0.1:5432); then the workers are real
`python -m bot run --once` processes, started together, timed from their start to the
last one's exit (Python's start-up, the imports and the gate's first load included, in
each). The baseline is one such worker on `baseline_stories` stories (the whole loop
would take over two minutes), extended to all of them at its own pace once past its
first story: its start-up is counted once, as one worker writing them all would pay it
(pass the same number twice to measure it whole). "Written twice": stories with more
than one model call of purpose `write` in `llm_calls`. The CPU the workers used (their
rusage) and the machine's load average are printed beside: on a shared machine the
figure is only as good as the cores the workers got.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench and tests

from bench.writing import ANSWER_SECONDS, wire
from bot.app import open_app
from bot.config import load
from bot.pipeline.polling import FeedPoller
from tests.conftest import POSTGRES_ADMIN, ROOT, write_config
from tests.faults.harness import GOOD_DRAFT
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer

WORKERS = 4


def database() -> str:
    name = f"depeche_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop(url: str) -> None:
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def stored(folder: Path, feed: str, llm: ScriptedLLM, url: str) -> Path:
    """bot.toml for the workers, and the feed's stories stored in the database."""
    path = write_config(
        folder,
        feeds=[{"url": feed, "max_age": "0"}],
        database={"url": url},
        llm={"base_url": llm.base_url, "timeout": 30, "attempts": 2, "concurrency": 1},
        writer={"prompts_dir": str(ROOT / "config" / "prompts")},
        cluster={"threshold": 1.0, "wait": "0"},  # every story its own
    )
    config = load(path, environ={})
    with open_app(config) as app:
        poller = FeedPoller(config, app.sessions)
        poller.sync()
        poller.poll_all(poller.due(all_feeds=True))
    return path


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_workers(config: Path, count: int) -> tuple[float, float]:
    """Start `count` workers together; (start, end) on time.monotonic()."""
    env = {**os.environ, "OPENAI_API_KEY": "sk-bench", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot", "--config", str(config), "run", "--once"]
    started = time.monotonic()
    workers = [
        subprocess.Popen(command, env=env, cwd=config.parent, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]  # fmt: skip
    for worker in workers:
        _, stderr = worker.communicate(timeout=900)
        if worker.returncode != 0:
            raise SystemExit(f"a worker exited {worker.returncode}: {stderr[-2000:]}")
    return started, time.monotonic()


def tally(url: str, outbox: Path) -> tuple[int, int, int]:
    """(drafts in the outbox, stories published, stories written more than once)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        posts = connection.scalar(text("SELECT count(*) FROM stories WHERE state = 'published'"))
        twice = connection.scalar(
            text(
                "SELECT count(*) FROM (SELECT story_id FROM llm_calls WHERE purpose = 'write'"
                " GROUP BY story_id HAVING count(*) > 1) AS again"
            )
        )
    engine.dispose()
    return len(list(outbox.glob("*.json"))), posts or 0, twice or 0


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    baseline_count = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    load_before = os.getloadavg()[0]
    urls = [database(), database()]
    try:
        with WebServer() as web, tempfile.TemporaryDirectory() as folder:
            llm = ScriptedLLM(web)
            llm.default = lambda _request: answer(GOOD_DRAFT, delay=ANSWER_SECONDS)
            runs = {}
            for (name, size, workers), url in zip(
                (("one", baseline_count, 1), ("many", count, WORKERS)), urls, strict=True
            ):
                (Path(folder) / name).mkdir()
                feed = web.route(f"/{name}.xml", Reply(body=wire(size, name)))
                config = stored(Path(folder) / name, feed, llm, url)
                llm.max_in_flight, first_call = 0, len(llm.call_times)
                cpu = children_cpu()
                started, ended = run_workers(config, workers)
                cpu = (children_cpu() - cpu) / workers
                # Past the start-up from the first second model call: a worker has
                # written its first story (Python, the imports, the gate loaded).
                warm = llm.call_times[first_call + workers]
                pace = (size - workers) / (ended - warm)  # stories a second, warmed up
                outbox = Path(folder) / name / "outbox"
                runs[name] = (ended - started, pace, cpu, llm.max_in_flight, *tally(url, outbox))
    finally:
        for url in urls:
            drop(url)
    one_s, one_pace, one_cpu, _, _, one_posts, _ = runs["one"]
    many_s, many_pace, many_cpu, in_flight, drafts, posts, twice = runs["many"]
    baseline = one_s + (count - baseline_count) / one_pace
    print(f"{count} stories on PostgreSQL, the model answering in {ANSWER_SECONDS:g} s, outbox; "
          f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(
        f"{WORKERS} run --once workers, concurrency 1 each: {many_s:.1f} s "
        f"({in_flight} model calls in flight at most; {many_cpu:.1f} s of CPU each); "
        f"{drafts} drafts, {posts} posts, {twice} written twice"
    )
    print(
        f"1 worker: {one_s:.1f} s for {baseline_count} stories ({one_posts} posts; "
        f"{one_cpu:.1f} s of CPU), then {one_pace:.2f} stories a second: {baseline:.1f} s "
        f"for {count}"
    )
    print(
        f"speed-up: {baseline / many_s:.2f} × (target ≥ 3.5 ×); warmed up (past the first "
        f"story): {many_pace:.2f} against {one_pace:.2f} stories a second, "
        f"{many_pace / one_pace:.2f} ×"
    )


if __name__ == "__main__":
    main()
