"""Time dv-spec on inputs built to exhaust a reader (issue #12): nested YAML
aliases, very deep nesting, very long lines, in every place dv-spec reads.

    .venv/bin/python benchmarks/hostile_inputs.py [--repeat 3]

Each case copies tests/fixtures/validate_base into a temporary directory,
puts the hostile input where the case says, and runs the command as a
subprocess (wall clock, interpreter start-up included: what a person or CI
waits for) and its CPU time. It prints both, the exit code and the first
line of output, and the ratio of each time to its target: the
billion-laughs file under 1 s, every other case under 2 s. Exit status 1
when a target is missed or a command printed a traceback; `--timeout` ends
a run that hangs; `--judge cpu` decides on CPU time (steadier on a shared
machine); `--code DIR` runs another source tree (e.g. an older commit:
`git archive REV dv_spec_tool macros | tar -x -C DIR`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))

from hostile_inputs import billion_laughs, long_line, nested, nested_json  # noqa: E402

BASE = os.path.join(REPO, "tests", "fixtures", "validate_base")
MERMAID = "erDiagram\n  HUB_X {\n    string x_id PK\n  }\n"


def _schema_file(text):
    return {"models/extra.yml": text}, ["validate"]


def _hub_call(src_pk: str) -> str:
    return (f"{{{{ automate_dv.hub(src_pk={src_pk}, src_nk='ID', src_ldts='LOAD_DATE', src_source='RECORD_SOURCE', "
            "source_model='raw_providers') }}\n")


CASES = {  # name: (target seconds, files to write, dv-spec arguments)
    "schema file: billion laughs (9 anchors x 9 aliases)": (1.0, *_schema_file(billion_laughs(9, 9))),
    "schema file: 12 anchors x 12 merge keys": (1.0, *_schema_file(billion_laughs(12, 12, merge=True))),
    "schema file: 100,000 nested [": (2.0, *_schema_file(nested(100_000, "["))),
    "schema file: 100,000 nested {a:": (2.0, *_schema_file(nested(100_000, "{"))),
    "schema file: 500 nested block mappings": (2.0, *_schema_file(nested(500, "block"))),
    "schema file: 10 MB line": (2.0, *_schema_file(long_line(10_000_000))),
    "schema file: 10 MB kind": (2.0, {"models/design.yml": open(os.path.join(BASE, "models", "design.yml")).read()
                                      .replace("kind: hub", "kind: hub" + "x" * 10_000_000, 1)}, ["validate"]),
    "dbt_project.yml: billion laughs": (1.0, {"dbt_project.yml": open(os.path.join(BASE, "dbt_project.yml")).read()
                                              + billion_laughs(9, 9).replace("version: 2\n", "")}, ["validate"]),
    "--manifest: 100,000 nested arrays": (2.0, {"target/manifest.json": nested_json(100_000)},
                                          ["validate", "--manifest", "target/manifest.json"]),
    "--check-report: 100,000 nested arrays": (2.0, {"report.json": nested_json(100_000)},
                                              ["prompts", "--review", "hub_provider", "--check-report", "report.json"]),
    "--conventions: billion laughs": (1.0, {"conv.yml": billion_laughs(9, 9), "d.mmd": MERMAID},
                                      ["import", "mermaid", "d.mmd", "--conventions", "conv.yml", "--dry-run"]),
    "mermaid: 10 MB entity name": (2.0, {"d.mmd": "erDiagram\n  HUB_" + "a" * 10_000_000 + " {\n  }\n"},
                                   ["import", "mermaid", "d.mmd", "--dry-run"]),
    "import automate-dv: 100,000 nested lists": (2.0, {"models/hub_x.sql": _hub_call("[" * 100_000 + "]" * 100_000)},
                                                 ["import", "automate-dv", "--dry-run"]),
    "import automate-dv: a 10 MB name": (2.0, {"models/hub_x.sql": _hub_call("'" + "A" * 10_000_000 + "'")},
                                         ["import", "automate-dv", "--dry-run"]),
    "lucidchart: 10 MB field": (2.0, {"d.csv": "Id,Name\n1," + "a" * 10_000_000 + "\n"},
                                ["import", "lucidchart", "d.csv", "--dry-run"]),
}


def run_case(root: str, files: dict, argv: list, timeout: float, code: str) -> tuple:
    project = os.path.join(root, "project")
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(BASE, project)
    for path, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(project, path)), exist_ok=True)
        with open(os.path.join(project, path), "w", encoding="utf-8") as handle:
            handle.write(text)
    command = [sys.executable, "-m", "dv_spec_tool", *argv, "--project-dir", project]
    start, cpu_start = time.perf_counter(), _children_cpu()
    try:
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=timeout,
                                env={**os.environ, "PYTHONPATH": code})
    except subprocess.TimeoutExpired:
        return timeout, timeout, None, f"still running after {timeout:.0f} s", False
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu_start
    output = (result.stdout + result.stderr).strip().splitlines()
    return seconds, cpu, result.returncode, (output[0][:90] if output else ""), "Traceback" in result.stderr


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best is reported")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a run counts as a hang")
    parser.add_argument("--judge", choices=["wall", "cpu"], default="wall", help="which time decides the exit status")
    parser.add_argument("--code", default=REPO, help="the source tree to run (default: this repository)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    missed, figures = 0, []
    print(f"{'case':<48} {'wall s':>7} {'cpu s':>6} {'target':>6} {'ratio':>6} {'exit':>5}  first line of output")
    with tempfile.TemporaryDirectory(prefix="dv-spec-hostile-") as root:
        for name, (target, files, argv) in CASES.items():
            runs = [run_case(root, files, argv, args.timeout, os.path.abspath(args.code)) for _ in range(args.repeat)]
            seconds, cpu, code, first, traceback = min(runs, key=lambda r: r[0] if args.judge == "wall" else r[1])
            judged = seconds if args.judge == "wall" else cpu
            ok = code is not None and judged <= target and not traceback
            missed += not ok
            figures.append({"case": name, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "target": target,
                            "exit": code, "output": first})
            print(f"{name:<48} {seconds:>7.2f} {cpu:>6.2f} {target:>6.1f} {judged / target:>6.2f} {str(code):>5}  {first}"
                  + ("" if ok else "   <- MISSED"))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)
    print(f"{len(CASES) - missed} of {len(CASES)} cases within target")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
