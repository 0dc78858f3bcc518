"""What the gate loads, and when (issue 10: a worker's start off the critical path).

spaCy's model (2.4 s of CPU, 130 MB) loads only for a sentence naming what the source's
words do not hold; the lemma index is read without it; `quality.load_models` loads what
every first check loads, so that a writer does it while the model answers. Each runs in a
fresh interpreter: this one has loaded everything long ago."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot import nlp
from tests.conftest import ROOT

# Checks the scripted Grenoble draft against its source, then says what it loaded.
CHECK = """
import sys, time
from bot import quality
from bot.config.quality import QualitySettings
from bot.story import SourceArticle
from bot.writer.answer import parse_answer
from tests.faults.harness import GOOD_DRAFT, SOURCE

settings = QualitySettings()
if "load first" in sys.argv:
    quality.load_models(settings)
source = SourceArticle(title=SOURCE["title"], text=SOURCE["text"], url="https://wire.example/1")
started = time.process_time()
result = quality.check(parse_answer(GOOD_DRAFT, writer="model"), [source], settings)
print("passed", result.passed)
print("check cpu", time.process_time() - started)
print("spacy", "spacy" in sys.modules)
"""


def run_check(*args: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHECK, *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return dict(line.rsplit(" ", 1) for line in done.stdout.splitlines())


def test_a_draft_naming_nothing_new_is_checked_without_spacy():
    said = run_check()
    assert said["passed"] == "True"
    assert said["spacy"] == "False"  # the facts check had no sentence to ask it about


def test_after_load_models_the_first_check_loads_nothing():
    cold, warm = run_check(), run_check("load first")
    assert warm["passed"] == "True"
    # CPU, not wall: lingua's models and the common words cost the cold check ~0.7 s.
    assert float(warm["check cpu"]) < 0.25 < float(cold["check cpu"]), (cold, warm)


def test_the_lemma_index_is_read_from_the_model_spacy_loads():
    assert nlp._data_path() == Path(nlp._model().path)
    assert {"côté", "reste", "face", "conseil"} <= nlp.lemma_words()


def test_an_empty_batch_runs_nothing_and_a_text_runs_the_model():
    pipes = nlp.french("ner")
    assert list(pipes.pipe([])) == []
    assert [ent.text for ent in pipes("Jeanne Martin vit à Grenoble.").ents] == [
        "Jeanne Martin",
        "Grenoble",
    ]
