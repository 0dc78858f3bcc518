"""Prompt templates: files a newsroom edits without touching code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

from bot.config import default_prompts_dir
from bot.story import SourceArticle

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
    instruction: Template | None = None

    @classmethod
    def load(cls, folder: Path) -> Prompts:
        """Reads system.md and user.md; `$name` placeholders, so JSON braces need no escaping."""
        try:
            system = (folder / "system.md").read_text(encoding="utf-8")
            user = (folder / "user.md").read_text(encoding="utf-8")
        except OSError as error:
            raise FileNotFoundError(f"writer.prompts_dir: {error}") from None
        instruction = next(
            (Template(path.read_text(encoding="utf-8").strip())
             for path in (folder / INSTRUCTION_FILE, default_prompts_dir() / INSTRUCTION_FILE)
             if path.is_file()),
            None,
        )
        return cls(system=system.strip(), user=Template(user.strip()), instruction=instruction)

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
        self, source: SourceArticle, *, language: str, min_words: int, category: str
    ) -> list[dict[str, str]]:
        user = self.user.safe_substitute(
            language_name=LANGUAGE_NAMES.get(language, language),
            min_words=min_words,
            source_language=LANGUAGE_NAMES.get(
                source.language or "", source.language or "inconnue"
            ),
            category=category or "au choix",
            source_title=source.title,
            source_url=source.url or "(aucun)",
            # The closing marker inside the data would let a source end its own quote.
            source_text=source.text.replace("</source>", "< /source>"),
        )
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]
