"""spaCy's small French model, loaded once, on the first stage that needs it.

Loading takes seconds and most of a run's memory, so it happens once per
process, without the components no stage runs (parser, sentence recogniser,
lemmatizer: the lemmatizer's lookups alone weigh 150 MB). Each stage asks for
the components it runs (names need the entity recogniser, key phrases the
part-of-speech tagger) and gets a view of the one model running only those.
Nothing here imports spaCy until a stage runs it on a text: `depeche status` never
does, and neither does a gate that finds no sentence to ask it about (bot.quality.facts:
a draft naming nothing the source's words do not hold), since the load is 2.4 s of CPU
(most of it compiling the French tokenizer's regular expressions) and 130 MB.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cache, wraps
from importlib.util import find_spec
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger(__name__)

MODEL = "fr_core_news_sm"
# What the stages run; tok2vec always stays: the others read it.
USED = ("tok2vec", "morphologizer", "attribute_ruler", "ner")
UNUSED = ("parser", "senter", "lemmatizer")


P = ParamSpec("P")
T = TypeVar("T")


def loaded_once(load: Callable[P, T]) -> Callable[P, T]:
    """functools.cache for what takes seconds and megabytes to load: several writers
    reaching their first gate at once wait for one load, instead of each loading its
    own copy (four copies of spaCy, each its 130 MB and its seconds of CPU)."""
    cached = cache(load)
    lock = threading.Lock()

    @wraps(load)
    def once(*args: P.args, **kwargs: P.kwargs) -> T:
        with lock:
            return cached(*args, **kwargs)

    return once


def in_background(load: Callable[[], object], name: str) -> None:
    """Start a loaded_once load in a thread of its own (a daemon: a stopping process
    does not wait for it), for its first caller to find it done or under way. A failure
    is not kept: loaded_once caches none, so that caller loads again and meets the
    error where it did without this."""

    def run() -> None:
        try:
            load()
        except Exception as error:
            log.debug("%s not loaded ahead (loaded again where needed): %s", name, error)

    threading.Thread(target=run, name=name, daemon=True).start()


class Pipes:
    """The one model, running only some of its components on each text; loaded on the
    first text, so that asking for it costs nothing when there is nothing to run."""

    def __init__(self, keep: Iterable[str]):
        self._keep = {"tok2vec", *keep}

    def _running(self) -> tuple[Any, list[str]]:
        model = _model()
        return model, [name for name in model.pipe_names if name not in self._keep]

    def __call__(self, text: str) -> Any:
        model, disable = self._running()
        return model(text, disable=disable)

    def pipe(self, texts: Iterable[str]) -> Iterator[Any]:
        texts = list(texts)
        if not texts:
            return iter(())
        model, disable = self._running()
        return model.pipe(texts, disable=disable)


@loaded_once
def _model() -> Any:
    import spacy

    log.debug("loading spaCy %s with %s", MODEL, ", ".join(USED))
    return spacy.load(MODEL, exclude=list(UNUSED))


def french(*keep: str) -> Pipes:
    """The model running only `keep` (and tok2vec)."""
    unknown = set(keep) - set(USED)
    if unknown:  # a new stage needs a component: add it to USED
        raise ValueError(f"spaCy components not loaded: {', '.join(sorted(unknown))}")
    return Pipes(keep)


@loaded_once
def lemma_words() -> frozenset[str]:
    """Every word of the model's lemma index (French common words, by part of speech),
    read from the lemmatizer's lookups file alone: neither the lemmatizer nor the model
    is loaded. The file holds four tables; only `lemma_index` is decoded, the others
    are skipped."""
    from srsly import msgpack

    path = _data_path() / "lemmatizer" / "lookups" / "lookups.bin"
    with path.open("rb") as file:
        unpacker = msgpack.Unpacker(file, raw=False, strict_map_key=False)
        for _ in range(unpacker.read_map_header()):
            if unpacker.unpack() == "lemma_index":
                index: dict[int, list[str]] = unpacker.unpack()
                return frozenset(word for words in index.values() for word in words)
            unpacker.skip()
    raise LookupError(f"{path}: no lemma_index table")


def _data_path() -> Path:
    """The installed model's data folder, found as spaCy finds it (the package's
    meta.json names it) without loading the model; when the package is missing, the
    load says so in spaCy's own words."""
    spec = find_spec(MODEL)
    if spec is None or spec.origin is None:
        return Path(_model().path)
    package = Path(spec.origin).parent
    meta = json.loads((package / "meta.json").read_text(encoding="utf-8"))
    return package / f"{meta['lang']}_{meta['name']}-{meta['version']}"
