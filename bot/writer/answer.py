"""Read the model's answer: a JSON object, possibly in a code fence, with exactly the draft keys."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from bot.errors import AnswerError
from bot.quality.markup import body_blocks
from bot.quality.repair import PATCH_BLOCKS_KEY
from bot.story import DRAFT_KEYS, Draft

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def parse_answer(text: str, *, writer: str) -> Draft:
    data = load_object(text)
    missing = [key for key in DRAFT_KEYS if key not in data]
    extra = [key for key in data if key not in DRAFT_KEYS]
    problems = []
    if missing:
        problems.append(f"missing keys: {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected keys: {', '.join(extra)}")
    for key in DRAFT_KEYS:
        if key in data and not _has_type(key, data[key]):
            problems.append(_type_problem(key))
    if problems:
        raise AnswerError("; ".join(problems))
    return Draft(**{key: data[key] for key in DRAFT_KEYS}, writer=writer, rewritten=True)


def _type_problem(key: str) -> str:
    return f"'{key}' must be {'a list of strings' if key == 'tags' else 'a string'}"


def _has_type(key: str, value: Any) -> bool:
    if key == "tags":
        return isinstance(value, list) and all(isinstance(tag, str) for tag in value)
    return isinstance(value, str)


def load_object(text: str) -> dict[str, Any]:
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    # A chatty model may write a sentence before the object: try the outermost braces too.
    if (start := text.find("{")) != -1 and (end := text.rfind("}")) > start:
        candidates.append(text[start : end + 1])
    error = "the answer is empty"
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError as exc:
            error = f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            continue
        except RecursionError:  # thousands of nested brackets: garbage, not an article
            error = "not valid JSON (nested too deeply)"
            continue
        if isinstance(data, dict):
            return data
        error = "the JSON is not an object"
    raise AnswerError(error)


def parse_patch(text: str, last: Draft) -> Draft:
    """The answer to a patch repair: the changed keys only (and blocks of the body by number),
    applied to the last answer. A model that sends the full object instead is fine too."""
    data = load_object(text)
    if all(key in data for key in DRAFT_KEYS):
        return parse_answer(text, writer=last.writer)
    changes: dict[str, Any] = {}
    problems = []
    for key, value in data.items():
        if key == PATCH_BLOCKS_KEY:
            continue
        if key not in DRAFT_KEYS:
            problems.append(f"unexpected key: {key}")
        elif not _has_type(key, value):
            problems.append(_type_problem(key))
        else:
            changes[key] = value
    blocks = data.get(PATCH_BLOCKS_KEY, {})
    every_block = body_blocks(last.body_html)
    if not isinstance(blocks, dict) or not all(
        isinstance(v, str) and str(k).isdigit() and 1 <= int(k) <= len(every_block)
        for k, v in blocks.items()
    ):
        problems.append(f"'{PATCH_BLOCKS_KEY}' must map block numbers (1 to {len(every_block)}) "
                        "to HTML strings")
    if problems:
        raise AnswerError("; ".join(problems))
    if not changes and not blocks:
        raise AnswerError("the answer changes nothing")
    if blocks:
        replaced = {int(k): v for k, v in blocks.items()}
        changes["body_html"] = "\n".join(
            replaced.get(n, block) for n, block in enumerate(every_block, 1)
        )
    return dataclasses.replace(last, **changes, warnings=[])
