"""The gate's language detection: accuracy and memory of what ships beside lingua's
high-accuracy models of every candidate (the detection before issue 8's memory work) and
its low-accuracy mode alone, each measured in this run, each in a child process of its own.

    python bench/language.py

The samples: every block the language rule judges in the French drafts of the tests' data,
the French, English, Spanish, German, Italian and Portuguese blocks of
tests/quality/data/languages.json, and its "fr_hard" titles (French so full of English
that every strategy may take them for English). Printed for each strategy: French blocks
taken for foreign (false alarms: the gate would hold a good draft), foreign blocks missed
or misnamed, the time, and lingua's peak memory above the child's own before detection.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STRATEGIES = {
    "shipped": "low accuracy, its unsure suspects judged by high accuracy between fr and en",
    "high": "high accuracy, every candidate (the baseline: the detection before)",
    "low": "low accuracy alone, every candidate",
}


def peak_mb() -> int:
    status = Path("/proc/self/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM"))
    return int(line.split()[1]) // 1024


def use(strategy: str) -> None:
    """Make bot.quality.language detect with `strategy` (the shipped one is left alone)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    from bot.quality import language

    if strategy == "shipped":
        return
    candidates = [Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
                  for code in language.CANDIDATES]
    builder = LanguageDetectorBuilder.from_languages(*candidates)
    detector = (builder.with_low_accuracy_mode() if strategy == "low" else builder).build()

    def language_of(text: str, expected: object) -> str | None:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None

    language.language_of = language_of


def measure(strategy: str) -> dict[str, object]:
    from bot.quality.language import CANDIDATES, detect
    from tests.quality.articles import FOREIGN, LANGUAGES, french_draft_blocks

    french = french_draft_blocks() + LANGUAGES["fr"]
    before = peak_mb()
    use(strategy)
    start = time.perf_counter()
    false_alarms = [text for text in french if detect(text)]
    hard = [text for text in LANGUAGES["fr_hard"] if detect(text)]
    foreign = [(code, text) for code, texts in FOREIGN.items() for text in texts]
    found = [(code, detect(text)) for code, text in foreign]
    seconds = time.perf_counter() - start
    return {
        "french": len(french),
        "false_alarms": false_alarms,
        "hard": f"{len(hard)} of {len(LANGUAGES['fr_hard'])}",
        "foreign": len(foreign),
        "missed": sum(1 for _, name in found if name is None),
        "misnamed": sum(1 for code, name in found if name and name != CANDIDATES[code]),
        "seconds": seconds,
        "lingua_mb": peak_mb() - before,
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2])))
        return
    for strategy, what in STRATEGIES.items():
        child = [sys.executable, __file__, "--child", strategy]
        done = subprocess.run(child, check=True, capture_output=True, text=True, cwd=ROOT)
        r = json.loads(done.stdout)
        alarms = r["false_alarms"]
        print(f"{strategy:8} ({what}): false alarms {len(alarms)} of {r['french']} French "
              f"blocks, fr_hard taken for foreign {r['hard']}; foreign missed {r['missed']}, "
              f"misnamed {r['misnamed']} of {r['foreign']}; {r['seconds']:.2f} s; "
              f"lingua peak +{r['lingua_mb']} MB")
        for text in alarms:
            print(f"           false alarm: {text}")


if __name__ == "__main__":
    main()
