"""The gate's models load in the background from a worker's first story written with a
model (bot.pipeline.runner): a load that fails says so at the first check, as when the
check loaded them itself, and SIGTERM while the check waits for the load still stops
within seconds, the story given back untouched.

The real `depeche run --once`, with a stand-in `lingua` first on its PYTHONPATH: one whose
import fails, or one whose import takes a minute; each import writes down the thread that
ran it. The model answers in 1 s: the background load is first at the import."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.conftest import ROOT
from tests.faults.harness import GOOD_DRAFT, BotProcess, rss, wait_for, wire_stories
from tests.servers.llm import ScriptedLLM, answer
from tests.servers.web import Reply, WebServer


def bot_with_lingua(
    tmp_path: Path, lingua: str, make_config, llm: ScriptedLLM, web: WebServer
) -> BotProcess:
    """`depeche` on one story, importing `lingua` from this module's text."""
    (tmp_path / "stand-in" / "lingua").mkdir(parents=True)
    importer = f"import threading\nwith open({str(importers(tmp_path))!r}, 'a') as f:\n"
    importer += "    print(threading.current_thread().name, file=f)\n"
    (tmp_path / "stand-in" / "lingua" / "__init__.py").write_text(importer + lingua)
    feed = web.route("/rss", Reply(body=rss(wire_stories(1))))
    llm.default = lambda _request: answer(GOOD_DRAFT, delay=1)
    config = make_config(
        feeds=[{"url": feed}],
        llm={"base_url": llm.base_url, "attempts": 1, "timeout": 30, "concurrency": 1},
    )
    path = os.pathsep.join([str(tmp_path / "stand-in"), str(ROOT)])
    return BotProcess(config, {"OPENAI_API_KEY": "sk-test-throwaway", "PYTHONPATH": path})


def importers(tmp_path: Path) -> Path:
    """The file where each import of the stand-in `lingua` writes its thread's name."""
    return tmp_path / "lingua-imported-by.txt"


def test_a_load_that_fails_in_the_background_fails_the_first_check(
    tmp_path: Path, make_config, llm: ScriptedLLM, web_server: WebServer
):
    failing = 'raise ImportError("lingua is broken here")\n'
    bot = bot_with_lingua(tmp_path, failing, make_config, llm, web_server)
    done = bot.run_once()
    assert done.returncode == 0, done.stderr
    assert "unexpected error while write" in done.stderr
    [story] = bot.stories()
    assert (story["state"], story["attempts"]) == ("new", 1)  # parked for a retry
    assert "lingua is broken here" in story["last_error"]
    assert len(llm.calls) == 1
    # Tried in the background first, then again by the check, which failed the story.
    assert importers(tmp_path).read_text().splitlines()[0] == "gate models"
    assert len(importers(tmp_path).read_text().splitlines()) == 2


def test_sigterm_while_the_check_waits_for_the_load_stops_at_once(
    tmp_path: Path, make_config, llm: ScriptedLLM, web_server: WebServer
):
    slow = "import time\ntime.sleep(60)\n"
    bot = bot_with_lingua(tmp_path, slow, make_config, llm, web_server)
    with bot.running("run", "--once") as process:
        wait_for(lambda: len(llm.calls) == 1, 60, "the model's answer")
        time.sleep(1.5)  # the answer read, the check waiting for lingua
        assert process.poll() is None
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        stderr = process.communicate(timeout=15)[1]
        stopped_in = time.monotonic() - signalled
    assert process.returncode == 0, stderr
    assert stopped_in < 6, stopped_in  # the grace (3 s) and Python's exit, not the load
    assert "1 story(ies) given back" in stderr
    [story] = bot.stories()
    assert (story["state"], story["attempts"], story["lease_owner"]) == ("new", 0, None)
    assert importers(tmp_path).read_text() == "gate models\n"  # the check only waited
