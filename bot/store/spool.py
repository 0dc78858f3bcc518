"""Work paid for while the database was down, kept on local disk until it is back.

When the database fails under a story whose model answer is already in hand, the
answer is not thrown away: it waits here (one small JSON file per story, by uid),
and the next worker to take the story uses it instead of calling the model again.
The call records (tokens, cost) the database could not take wait in a JSON-lines
journal and are stored once it answers again. Files are written atomically, so a
crash leaves either the old file or the new one.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from bot.story import Draft, WriteOutcome


class Spool:
    def __init__(self, folder: Path):
        self.folder = folder
        self._journal_lock = threading.Lock()

    def _answer_path(self, uid: str) -> Path:
        return self.folder / f"answer-{uid}.json"

    def keep_answer(self, uid: str, answer: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(answer, file, ensure_ascii=False)
        os.replace(temporary, self._answer_path(uid))

    def answer(self, uid: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._answer_path(uid).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def keep_outcome(self, uid: str, written: WriteOutcome) -> None:
        self.keep_answer(
            uid,
            {
                "draft": written.draft.to_dict() if written.draft else None,
                "held_reasons": written.held_reasons,
                "repairs": written.repairs,
            },
        )

    def outcome(self, uid: str) -> WriteOutcome | None:
        kept = self.answer(uid)
        if kept is None:
            return None
        draft = Draft.from_dict(kept["draft"]) if kept["draft"] else None
        return WriteOutcome(draft, held_reasons=kept["held_reasons"], repairs=kept["repairs"])

    def drop_answer(self, uid: str) -> None:
        self._answer_path(uid).unlink(missing_ok=True)

    @property
    def _journal(self) -> Path:
        return self.folder / "calls.jsonl"

    def keep_call(self, row: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._journal_lock, self._journal.open("a", encoding="utf-8") as file:
            file.write(json.dumps(row, ensure_ascii=False) + "\n")

    def calls(self) -> tuple[list[dict[str, Any]], int]:
        """The records waiting, and how many lines they took (for forget_calls)."""
        with self._journal_lock:
            if not self._journal.exists():
                return [], 0
            lines = self._journal.read_text(encoding="utf-8").splitlines()
        # A line cut by a crash mid-write is the one record lost, not the journal.
        rows = []
        for line in lines:
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
        return rows, len(lines)

    def forget_calls(self, count: int) -> None:
        """Drop the first `count` records (stored now); any written since stay."""
        with self._journal_lock:
            if not self._journal.exists():
                return
            lines = self._journal.read_text(encoding="utf-8").splitlines(keepends=True)
            rest = lines[count:]
            if rest:
                self._journal.write_text("".join(rest), encoding="utf-8")
            else:
                self._journal.unlink()
