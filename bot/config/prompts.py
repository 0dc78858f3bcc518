"""The prompts folder: where system.md, user.md, sources.md and disclosure.md are read, and what
the WordPress settings take from them (the disclosure notice, the prompts' version)."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from bot.config.sections import WriterSettings
from bot.config.wordpress import WordPressSettings
from bot.errors import ConfigError


def default_prompts_dir() -> Path:
    """The prompts shipped with the code."""
    return Path(__file__).resolve().parents[2] / "config" / "prompts"


def prompts_dir(writer: WriterSettings, root: Path) -> Path:
    """The folder of system.md and user.md. The default path may be missing beside a
    bot.toml written elsewhere: the prompts shipped with the code are used then. A path
    the newsroom chose must exist."""
    folder = Path(writer.prompts_dir).expanduser()
    folder = folder if folder.is_absolute() else root / folder
    if (folder / "system.md").is_file():
        return folder
    if writer.prompts_dir == WriterSettings.prompts_dir:
        return default_prompts_dir()
    raise ConfigError(f"writer.prompts_dir: no system.md and user.md in {folder}")


def with_prompts(settings: WordPressSettings, prompts_dir: Path) -> WordPressSettings:
    """The disclosure notice and the version of the prompts, for the posts' provenance."""
    notice = prompt_file(prompts_dir, "disclosure.md").strip() or settings.disclosure_text
    writing = "".join(
        prompt_file(prompts_dir, name) for name in ("system.md", "user.md", "sources.md")
    )
    version = hashlib.sha256(writing.encode("utf-8")).hexdigest()[:12]
    return dataclasses.replace(settings, disclosure_text=notice, prompt_version=version)


def prompt_file(prompts_dir: Path, name: str) -> str:
    """The newsroom's file, else the shipped one, else empty."""
    for folder in (prompts_dir, default_prompts_dir()):
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    return ""

