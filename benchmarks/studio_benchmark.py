"""Time what the studio does per request on generated designs of 100, 250 and 500 entities.

    .venv/bin/python benchmarks/studio_benchmark.py [--entities 100,250,500] [--repeat 3]

Measured, best of --repeat runs, in this process (no browser, no HTTP):

* `state`: the diagram model the page gets after every request (load,
  validate, resolve for the shapes' columns, layout);
* `edit`: one saved change to a hub (the owner), recorded in the history;
* `undo`: taking it back (the history's file check and restore, then the state);
* `impact`: the rename question for a hub (dependents, columns that change).

It prints the figures and the ratio per entity against the smallest size,
so a cost that grows faster than the design shows.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.generate_design import generate  # noqa: E402
from dv_spec_tool.interfaces.studio.server import Studio  # noqa: E402


def best(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(entities: int, repeat: int) -> dict:
    root = os.path.join(tempfile.mkdtemp(prefix="dv-studio-bench-"), "project")
    generate(root, entities, seed=0)
    studio = Studio(root)
    state = studio.state()
    hub = next(e for e in state["entities"] if e["kind"] == "hub")
    figures = {"state": best(repeat, studio.state)}

    def edit_and_undo():
        current = next(e for e in studio.state()["entities"] if e["name"] == hub["name"])
        started = time.perf_counter()
        studio.update(hub["name"], {"dv": dict(current["dv"], owner="bench"), "version": current["version"]})
        middle = time.perf_counter()
        studio.undo()
        return middle - started, time.perf_counter() - middle

    pairs = [edit_and_undo() for _ in range(repeat)]
    figures["edit"] = min(p[0] for p in pairs)
    figures["undo"] = min(p[1] for p in pairs)
    figures["impact"] = best(repeat, lambda: studio.impact({"action": "rename", "name": hub["name"],
                                                            "to": hub["name"] + "_x", "physical": True}))
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", default="100,250,500")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.entities.split(",")]
    results = {n: measure(n, args.repeat) for n in sizes}
    keys = ["state", "edit", "undo", "impact"]
    print(f"{'entities':>8}  " + "  ".join(f"{k + ' ms':>10}" for k in keys) + "  per-entity ratio (state) vs smallest")
    base = results[sizes[0]]["state"] / sizes[0]
    for n in sizes:
        row = results[n]
        print(f"{n:>8}  " + "  ".join(f"{row[k] * 1000:>10.0f}" for k in keys) + f"  {row['state'] / n / base:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
