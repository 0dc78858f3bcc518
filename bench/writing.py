"""Writing many stories at once (issue 10: 64 stories, a model answering in 2 s,
`[llm] concurrency = 8`: ≤ 1.15 × the ideal 16 s), beside the one-at-a-time baseline
measured in the same run, and the peak memory with 8 stories in flight:

    python bench/writing.py [stories] [baseline_stories]     (default 64 and 8)

The scripted OpenAI-compatible server of the tests (tests/servers/llm.py) answers every
call after 2 s with a draft that passes the gate. The stories are stored first (not
timed); then the writing phase is timed: `Runner.write_batch` until none is left, each
answer through the gate, each draft committed. The baseline, `[llm] concurrency = 1`,
writes `baseline_stories` of them (one at a time, 2 s each) and is scaled to all: the
whole loop would take over two minutes. The gate's models are loaded by a warm-up story
before anything is timed, and spaCy's with them: the scripted draft names no one its
source does not, so its check never needs spaCy, where a real model's drafts often do, and
the memory figure is meant for those. Memory: the process's resident set, sampled every
20 ms (VmRSS), its peak during each phase. The model server (and the feed) run in a
process of their own, as a real model server does: in this one, their threads took the GIL
from the writers' gates, and each answer came late by the time it waited for it. The CPU
the bot used while writing (all its threads) and the machine's load average are printed
beside: the gate's CPU is shared by the writers under one GIL, and by the other jobs of a
shared machine.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench and tests

from bot import nlp
from bot.app import make_publisher, make_writer, open_app
from bot.config import Config, load
from bot.pipeline import Runner
from tests.conftest import ROOT, write_config
from tests.faults.harness import GOOD_DRAFT, SOURCE
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer

ANSWER_SECONDS = 2.0
CONCURRENCY = 8


def wire(count: int, prefix: str) -> str:
    """An RSS feed of `count` stories telling the Grenoble news (which the scripted
    draft passes the gate for), each with a closing sentence of its own."""
    paragraphs = "".join(f"<p>{p}</p>" for p in SOURCE["text"].split("\n\n"))
    items = "".join(
        f"<item><guid>{prefix}-{n}</guid><title>{SOURCE['title']} (point {n})</title>"
        f"<link>https://wire.example/{prefix}/{n}</link><description><![CDATA[{paragraphs}"
        f"<p>Le point {n} de la délibération sera présenté au quartier numéro {n}.</p>]]>"
        "</description></item>"
        for n in range(count)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fil</title>'
        f"{items}</channel></rss>"
    )


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakMemory:
    """The peak resident set while the block runs, sampled every 20 ms."""

    def __enter__(self) -> PeakMemory:
        self.peak = resident_mb()
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(0.02):
            self.peak = max(self.peak, resident_mb())

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        self._sampler.join()


def serve(sizes: dict[str, int], commands: Connection) -> None:
    """The model server and the feeds, in their own process: sends (model URL, feed URLs),
    then answers "peak" with the most calls it had in flight since the last "peak"."""
    with WebServer() as web:
        llm = ScriptedLLM(web)
        llm.default = lambda _request: answer(GOOD_DRAFT, delay=ANSWER_SECONDS)
        feeds = {
            name: web.route(f"/{name}.xml", Reply(body=wire(size, name)))
            for name, size in sizes.items()
        }
        commands.send((llm.base_url, feeds))
        while commands.recv() == "peak":
            commands.send(llm.max_in_flight)
            llm.max_in_flight = 0


def configured(folder: Path, feed: str, model: str, concurrency: int) -> Config:
    path = write_config(
        folder,
        feeds=[{"url": feed, "max_age": "0"}],
        llm={"base_url": model, "timeout": 30, "attempts": 2, "concurrency": concurrency},
        writer={"prompts_dir": str(ROOT / "config" / "prompts")},
        # Every story its own: these tell one news item, which clustering would join.
        cluster={"threshold": 1.0, "wait": "0"},
    )
    return load(path, environ={})


def write_all(
    folder: Path, feed: str, model: str, concurrency: int
) -> tuple[float, float, int, float]:
    """Store the feed's stories, then time writing them all: (seconds, CPU seconds,
    written, peak MB)."""
    config = configured(folder, feed, model, concurrency)
    with open_app(config) as app:
        runner = Runner(
            config, app.sessions, writer=make_writer(config), publisher=make_publisher(config)
        )
        runner.feeds.sync()
        runner.feeds.poll_all(runner.feeds.due(all_feeds=True))
        with PeakMemory() as memory:
            started, cpu = time.perf_counter(), time.process_time()
            written = 0
            while batch := runner.write_batch(0):
                written += sum(1 for outcome in batch if outcome.state == "written")
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return seconds, cpu, written, memory.peak


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    baseline_count = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    commands, theirs = multiprocessing.Pipe()
    sizes = {"warm": 1, "one": baseline_count, "many": count}
    server = multiprocessing.Process(target=serve, args=(sizes, theirs), daemon=True)
    server.start()
    model, feeds = commands.recv()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name in feeds:
            (root / name).mkdir()
        write_all(root / "warm", feeds["warm"], model, 1)  # the gate's models, the model's probe
        nlp.french("ner")("Jeanne Martin")  # spaCy, which a real model's drafts often need
        load_before = os.getloadavg()[0]
        base_s, base_cpu, base_n, base_mb = write_all(root / "one", feeds["one"], model, 1)
        commands.send("peak")
        commands.recv()
        many_s, many_cpu, many_n, many_mb = write_all(
            root / "many", feeds["many"], model, CONCURRENCY
        )
        commands.send("peak")
        max_in_flight = commands.recv()
    commands.send("stop")
    server.join(10)
    ideal = count / CONCURRENCY * ANSWER_SECONDS
    scaled = base_s * count / base_n
    print(
        f"{count} stories, the model answering in {ANSWER_SECONDS:g} s, gate included; "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    print(
        f"[llm] concurrency = {CONCURRENCY}: {many_s:.1f} s for {many_n} written = "
        f"{many_s / ideal:.2f} × the ideal {ideal:.0f} s (target ≤ 1.15 ×); "
        f"{max_in_flight} calls in flight at most; {many_cpu:.1f} s of CPU "
        f"({many_cpu / many_n * 1000:.0f} ms a story)"
    )
    print(
        f"baseline, concurrency 1: {base_s:.1f} s for {base_n} written ({base_cpu:.1f} s of "
        f"CPU), scaled to {count}: {scaled:.1f} s ({scaled / many_s:.1f} × slower)"
    )
    print(
        f"peak memory (resident, the bot's process): {many_mb:.0f} MB with "
        f"{CONCURRENCY} stories in flight, {base_mb:.0f} MB with one"
    )


if __name__ == "__main__":
    main()
