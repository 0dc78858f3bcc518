"""spaCy's small French model, loaded once, on the first stage that needs it.

Loading takes seconds and most of a run's memory, so it happens once per
process, without the components no stage runs (parser, sentence recogniser,
lemmatizer: the lemmatizer's lookups alone weigh 150 MB). Each stage asks for
the components it runs (names need the entity recogniser, key phrases the
part-of-speech tagger) and gets a view of the one model running only those.
Nothing here imports spaCy until a stage calls it: `depeche status` never does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cache, wraps
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


class Pipes:
    """The one model, running only some of its components on each text."""

    def __init__(self, model: Any, keep: Iterable[str]):
        self._model = model
        self._disable = [name for name in model.pipe_names if name not in {"tok2vec", *keep}]

    def __call__(self, text: str) -> Any:
        return self._model(text, disable=self._disable)

    def pipe(self, texts: Iterable[str]) -> Iterator[Any]:
        return self._model.pipe(texts, disable=self._disable)


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
    return Pipes(_model(), keep)


@loaded_once
def lemma_words() -> frozenset[str]:
    """Every word of the model's lemma index (French common words, by part of speech),
    read from the lemmatizer's lookups file alone: the lemmatizer itself is not loaded.
    The file holds four tables; only `lemma_index` is decoded, the others are skipped."""
    from srsly import msgpack

    path = _model().path / "lemmatizer" / "lookups" / "lookups.bin"
    with path.open("rb") as file:
        unpacker = msgpack.Unpacker(file, raw=False, strict_map_key=False)
        for _ in range(unpacker.read_map_header()):
            if unpacker.unpack() == "lemma_index":
                index: dict[int, list[str]] = unpacker.unpack()
                return frozenset(word for words in index.values() for word in words)
            unpacker.skip()
    raise LookupError(f"{path}: no lemma_index table")
