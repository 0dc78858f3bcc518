"""Prompt templates: files a newsroom edits without touching code."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from bot.config.prompts import prompt_file
from bot.story import SourceArticle

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {
    "fr": "français",
    "en": "anglais",
    "es": "espagnol",
    "ar": "arabe",
    "de": "allemand",
    "it": "italien",
    "pt": "portugais",
    "nl": "néerlandais",
}


# An editor's instruction for a rewrite (bot.pipeline.revise), added after the prompt.
INSTRUCTION_FILE = "rewrite.md"


@dataclass(frozen=True)
class Prompts:
    system: str
    user: Template
    # What the model is told before the sources of a story that has several (sources.md).
    several: Template
    instruction: Template | None = None

    @classmethod
    def load(cls, folder: Path) -> Prompts:
        """Reads system.md, user.md and sources.md (the shipped one when the newsroom's
        folder has none); `$name` placeholders, so JSON braces need no escaping."""
        try:
            system = (folder / "system.md").read_text(encoding="utf-8")
            user = (folder / "user.md").read_text(encoding="utf-8")
            several = prompt_file(folder, "sources.md")
        except OSError as error:
            raise FileNotFoundError(f"writer.prompts_dir: {error}") from None
        if "$sources" not in user:
            log.warning(
                "%s has no $sources placeholder: a story told by several sources is "
                "written from its first one only",
                folder / "user.md",
            )
        instruction = prompt_file(folder, INSTRUCTION_FILE).strip()
        return cls(system=system.strip(), user=Template(user.strip()),
                   several=Template(several.strip()),
                   instruction=Template(instruction) if instruction else None)

    def with_instruction(
        self, messages: list[dict[str, str]], instruction: str
    ) -> list[dict[str, str]]:
        """The prompt with an editor's instruction after it (rewrite.md: the newsroom's,
        else the shipped one)."""
        if self.instruction is None:
            raise FileNotFoundError(f"writer.prompts_dir: no {INSTRUCTION_FILE}")
        added = self.instruction.safe_substitute(instruction=instruction)
        *first, user = messages
        return [*first, {**user, "content": f"{user['content']}\n\n{added}"}]

    def messages(
        self, sources: Sequence[SourceArticle], *, language: str, min_words: int, category: str
    ) -> list[dict[str, str]]:
        """The first call's messages: each source between its own <source> markers, named
        and numbered when there are several; one source reads as it always did."""
        primary = sources[0]
        user = self.user.safe_substitute(
            language_name=LANGUAGE_NAMES.get(language, language),
            min_words=min_words,
            source_language=LANGUAGE_NAMES.get(
                primary.language or "", primary.language or "inconnue"
            ),
            category=category or "au choix",
            sources=self._sources(sources),
            # A user.md written before $sources: the primary source only (load() warns).
            source_title=primary.title,
            source_url=primary.url or "(aucun)",
            source_text=_data(primary.text),
        )
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]

    def _sources(self, sources: Sequence[SourceArticle]) -> str:
        if len(sources) == 1:
            return _quoted(sources[0], "<source>")
        blocks = [
            _quoted(source, f'<source numéro="{number}" nom="{_attribute(source)}">')
            for number, source in enumerate(sources, start=1)
        ]
        return "\n\n".join([self.several.safe_substitute(count=len(sources)), *blocks])


def _quoted(source: SourceArticle, opening: str) -> str:
    return (
        f"{opening}\nTitre : {_data(source.title)}\nLien : {source.url or '(aucun)'}\n\n"
        f"{_data(source.text)}\n</source>"
    )


def _data(text: str) -> str:
    # The closing marker inside the data would let a source end its own quote.
    return text.replace("</source>", "< /source>")


def _attribute(source: SourceArticle) -> str:
    """The source's name as the marker's attribute: nothing in it can close the marker."""
    name = source.source_name.strip() or urlsplit(source.url).hostname or "sans nom"
    return re.sub(r'[<>"]', "", name)

