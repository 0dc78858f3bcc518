"""How fast `depeche` starts and how much memory the sample run takes (issue 8).

    python3 bench/startup.py [--runs N]

Prints, each measured in this run:

- `depeche --help`: the median wall time of N runs (default 5) beside bare `python -c pass`
  (the floor) and the 0.3 s target;
- the heavy libraries (openai, yake, spaCy, lingua) each of `--help`, `status` and
  `feeds list` imports, from `python -X importtime` (the target: none);
- the peak resident memory of `depeche run --once` on the shipped sample (`depeche init`
  into a temporary folder, offline writer, outbox) beside the 350 MB target and the peak
  of `depeche --help` (the code loaded, nothing run), and the same run with the language
  judge's high-accuracy models loaded first (what lingua may add on other drafts).

Every command runs in a child process with this tree's code first on PYTHONPATH and the
model variables removed from its environment, so the writer is the offline one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELP_TARGET_S = 0.3
PEAK_TARGET_MB = 350
HEAVY = ("openai", "yake", "spacy", "lingua")
# Variables that would give the run a model, a database or a target other than the sample's.
CLEARED = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DEPECHE_LLM_MODEL",
    "DEPECHE_CONFIG",
    "DEPECHE_DATABASE_URL",
    "DEPECHE_PUBLISH_TARGET",
    "DEPECHE_OUTBOX_DIR",
    "DEPECHE_WP_URL",
)


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def depeche(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


def median_seconds(command: list[str], runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=environment(), check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def heavy_imports(args: list[str], cwd: Path) -> list[str]:
    """The heavy top-level packages `depeche *args` imports, read from -X importtime."""
    command = [sys.executable, "-X", "importtime", "-m", "bot", *args]
    done = subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True)
    modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return sorted({m.split(".")[0] for m in modules} & set(HEAVY))


def peak_rss_mb(command: list[str], cwd: Path) -> float:
    """The largest resident size of this one child, from wait4's rusage (kilobytes on Linux)."""
    child = subprocess.Popen(
        command, cwd=cwd, env=environment(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode})")
    return usage.ru_maxrss / 1024


# A French block the cheap detector suspects of English: judging it loads the judge's models.
WITH_JUDGE = """
from bot.quality.language import language_of
language_of("Le rapport complet est disponible sur le site de l'Insee.", {"fr"})
from bot.cli import cli
cli(["run", "--once"])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="depeche-bench-") as folder:
        here = Path(folder)
        subprocess.run(
            depeche("init"), cwd=here, env=environment(), check=True, capture_output=True
        )
        bare_peak = peak_rss_mb(depeche("--help"), here)
        start = time.perf_counter()
        peak = peak_rss_mb(depeche("run", "--once"), here)
        run_seconds = time.perf_counter() - start
        published = len(list((here / "outbox").glob("*.json")))
        # The sample's drafts give the language judge nothing to judge: the same run with
        # its models loaded first is the most lingua may add (bot.quality.language).
        shutil.rmtree(here / "outbox")
        (here / "data" / "depeche.db").unlink()
        judged_peak = peak_rss_mb([sys.executable, "-c", WITH_JUDGE], here)
        judged_published = len(list((here / "outbox").glob("*.json")))
        bare = median_seconds([sys.executable, "-c", "pass"], runs, here)
        help_time = median_seconds(depeche("--help"), runs, here)
        heavy = {
            " ".join(args): heavy_imports(args, here)
            for args in (["--help"], ["status"], ["feeds", "list"])
        }
    print(f"depeche --help, median of {runs}: {help_time:.3f} s "
          f"(bare python -c pass: {bare:.3f} s; target <= {HELP_TARGET_S} s)")
    for command, found in heavy.items():
        print(f"depeche {command} imports: {', '.join(found) or 'none of'} "
              f"{'' if found else ' '.join(HEAVY)}".rstrip())
    print(f"depeche run --once on the sample: peak RSS {peak:.0f} MB "
          f"(target <= {PEAK_TARGET_MB} MB; depeche --help, the code loaded and nothing run: "
          f"{bare_peak:.0f} MB), {run_seconds:.1f} s, {published} drafts in outbox")
    print(f"the same run with the language judge's models loaded first: peak RSS "
          f"{judged_peak:.0f} MB (target <= {PEAK_TARGET_MB} MB), {judged_published} drafts")


if __name__ == "__main__":
    main()
