"""`depeche --help`, `status` and `feeds list` import none of the heavy libraries (issue 8
§8): openai, yake, spaCy and lingua load only when a stage needs them. bench/startup.py
measures the time; this keeps the imports so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

HEAVY = {"openai", "yake", "spacy", "lingua"}
# Runs one command in this process, then prints the top-level packages it imported.
RUN = """
import sys
from bot.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit:
    pass
print("imported:", *sorted({name.split(".")[0] for name in sys.modules}))
"""


def imported(args: list[str], cwd: Path) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", RUN, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("imported:"))
    return set(line.split()[1:])


@pytest.mark.parametrize("args", [["--help"], ["status"], ["feeds", "list"]])
def test_the_light_commands_import_no_heavy_library(args: list[str], tmp_path: Path):
    imported(["init"], tmp_path)
    assert imported(args, tmp_path) & HEAVY == set()
