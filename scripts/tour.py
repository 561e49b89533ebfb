"""Write docs/tour.md: the main commands run on the bundled examples, each with the output it really printed.

.venv/bin/python scripts/tour.py            # rewrite docs/tour.md (run it after a change that alters the output)

The commands run in a temporary folder against a fresh SQLite file, with a fixed terminal width so that tables
wrap the same way on every machine. Long outputs keep their first lines and say how many were left out.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITREP = Path(sys.executable).with_name("sitrep")
TOUR = ROOT / "docs" / "tour.md"

# (what it shows, the command after "sitrep", lines of output kept[, the exit status it must end with])
STEPS: list[tuple[str, str, int] | tuple[str, str, int, int]] = [
    ("Ingest the bundled corpus (HTML, text, a feed, JSON Lines) into a new SQLite file.",
     "ingest examples/ --db sitrep.db", 0),
    ("Again: nothing is new, nothing changes.", "ingest examples/ --db sitrep.db", 0),
    ("The battles since 1 December.", "events --db sitrep.db --type Battles --from 2024-12-01 --format table", 40),
    ("Who held what on 8 December, from the territorial events.", "control --db sitrep.db --date 2024-12-08", 30),
    ("The starting picture: who held which city on 26 November (place, actor, date; the timeline is rebuilt).",
     "control load examples-control/baseline-2024-11-26.csv --db sitrep.db", 0),
    ("Who held what on 12 December, from the baseline and the territorial events, with the sources.",
     "control --db sitrep.db --date 2024-12-12", 60),
    ("Aleppo's timeline: held, contested while it fell, taken (credited to the offensive the story names).",
     "control --db sitrep.db --place Aleppo", 30),
    ("Scored against the gold timeline of examples-control/: the share of place-days right, per city.",
     "eval control examples-control/gold-2024-11-26-2024-12-12.csv --db sitrep.db --from 2024-11-26 --to 2024-12-12",
     30),
    ("How far the HTS-led command was from Hama on 4 December, beside what the sources said.",
     'control --db sitrep.db --place Hama --actor "Military Operations Command" --date 2024-12-04', 30),
    ("One page, no database: the events of a single article as JSON Lines (first event shown).",
     "extract examples/html/crisis-ledger-2024-12-03-hama-countryside.html --published 2024-12-03 --format jsonl", 1),
    ("Filters take names as people write them: the type in any case, an actor by its acronym (the registry knows\n"
     "HTS as Hayat Tahrir al Sham), an area in another spelling (the gazetteer stores Idlib as Idleb).",
     "events --db sitrep.db --type battles --actor HTS --admin1 hama", 30),
    ("A place that neither the events nor the gazetteer know is an error, with exit status 1, not an empty list.",
     "events --db sitrep.db --place Hamaville", 0, 1),
    ("So is a database that does not exist: only `ingest` (or `--create`) makes one.", "events --db sitrpe.db", 0, 1),
    ("Alert rules (`examples/alerts.yaml`) run over the database as a dry run: each change once, oldest first.",
     "alerts test examples/alerts.yaml --db sitrep.db", 40),
    ("The same alerts as JSON Lines, as `sitrep watch --alerts` sends them (to standard output, a file or a\n"
     "webhook), each with the sentences of its evidence events:",
     "alerts test examples/alerts.yaml --db sitrep.db --format jsonl", 0),
    ("The situation report for the twelve days to 8 December, with the alerts of the same rules: a section and red\n"
     "rings on the control map (see docs/report.md).",
     "report --db sitrep.db --date 2024-12-08 --days 12 --out report.html --alerts examples/alerts.yaml", 10),
]  # fmt: skip


def run(command: str, cwd: Path, status: int = 0) -> str:
    """The command's standard output and error as a user would see them, or a failure naming the command when it
    does not end with `status`."""
    env = {**os.environ, "COLUMNS": "110", "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run(
        [str(SITREP), *shlex.split(command)], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != status:
        raise SystemExit(f"`sitrep {command}` ended with {done.returncode}, not {status}:\n{done.stderr}")
    output = (done.stdout + done.stderr).rstrip()
    return output + (f"\n$ echo $?\n{status}" if status else "")


def shorten(output: str, keep: int) -> str:
    """The first `keep` lines (all when keep is 0), saying how many more there were."""
    lines = output.splitlines()
    if not keep or len(lines) <= keep:
        return output
    return "\n".join([*lines[:keep], f"… ({len(lines) - keep} more lines)"])


def main() -> None:
    parts = [
        "# A tour of Sitrep\n",
        "<!-- Written by scripts/tour.py from real runs on examples/; do not edit by hand. -->\n",
        "Each block is a command run on the bundled corpus (`examples/`) and what it printed.\n",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "examples").symlink_to(ROOT / "examples")
        (work / "examples-control").symlink_to(ROOT / "examples-control")
        for what, command, keep, *status in STEPS:
            output = shorten(run(command, work, *status), keep)
            parts.append(f"{what}\n\n```console\n$ sitrep {command}\n{output}\n```\n")
    TOUR.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {TOUR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
