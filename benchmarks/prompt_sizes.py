"""Sizes of the starter prompts of a design, against the hand-off's targets (issue #15).

    .venv/bin/python benchmarks/prompt_sizes.py [--project-dir integration_tests] [--code DIR]

Writes every entity and subject-area prompt of the project in both styles
(`dv-spec prompts --style automate_dv|plain_sql`) into a temporary folder and
prints, per style, the largest entity prompt and the largest subject-area
prompt in bytes, then every file. Targets: every entity prompt <= 8 KB
(8,192 bytes) and every subject-area prompt <= 25 KB (25,600 bytes), small
enough to paste into Copilot Chat. `--code DIR` measures another source tree
(an older commit: `git archive REV dv_spec_tool macros | tar -x -C DIR`),
for before-and-after figures (with that commit's sample as --project-dir).
Exit status: 0 targets met, 1 a target missed, 2 dv-spec failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STYLES = ("automate_dv", "plain_sql")
TARGETS = {"entity": 8 * 1024, "subject area": 25 * 1024}


def prompt_sizes(project: Path, style: str, code: Path) -> dict:
    """{file name: bytes} of `dv-spec prompts --style STYLE` for the whole project."""
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "PYTHONPATH": str(code)}
        command = [sys.executable, "-m", "dv_spec_tool", "prompts", "--project-dir", str(project),
                   "--out", out, "--style", style, "--force"]
        done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"prompt_sizes: dv-spec prompts --style {style} exited {done.returncode}: "
                  + (done.stderr.strip().splitlines() or ["no message"])[-1], file=sys.stderr)
            raise SystemExit(2)
        return {path.name: path.stat().st_size for path in sorted(Path(out).glob("*.prompt.md"))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", default=str(ROOT / "integration_tests"))
    parser.add_argument("--code", default=str(ROOT), help="source tree holding dv_spec_tool/ and macros/")
    args = parser.parse_args(argv)
    project, code = Path(args.project_dir).resolve(), Path(args.code).resolve()
    missed = False
    for style in STYLES:
        sizes = prompt_sizes(project, style, code)
        groups = {"entity": {n: s for n, s in sizes.items() if not n.startswith("subject_area_")},
                  "subject area": {n: s for n, s in sizes.items() if n.startswith("subject_area_")}}
        print(f"style {style}: {len(sizes)} prompts, {sum(sizes.values()):,} bytes in all")
        for group, found in groups.items():
            name, size = max(found.items(), key=lambda item: item[1])
            met = size <= TARGETS[group]
            missed |= not met
            print(f"  largest {group} prompt: {size:>7,} bytes ({name}); target <= {TARGETS[group]:,}: "
                  f"{'met' if met else 'MISSED'} ({size / TARGETS[group]:.2f} of it)")
        for name, size in sizes.items():
            print(f"    {size:>7,}  {name}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
