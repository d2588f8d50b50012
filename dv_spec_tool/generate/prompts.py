"""Starter prompts, reviewer prompts and assistants' instruction files.

The text comes from the dbt macros under `macros/spec/` (spec_prompt,
review_prompt, instruction_files), built on the same spec data as `dv-spec
spec`. This module chooses the files, finds the implementation's SQL, and
reads a `dv-spec check` JSON report into the findings the reviewer prompt
lists.
"""

from __future__ import annotations

import hashlib
import os
import re

from dv_spec_tool.core import macro_api
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import read_if_exists, read_input, read_json_input, write_atomic
from dv_spec_tool.core.findings import did_you_mean
from dv_spec_tool.core.generated import Outcome
from dv_spec_tool.generate.spec import Document, SpecBuilder

STYLES = ("automate_dv", "plain_sql")


def prompt_documents(builder: SpecBuilder, entities=None, areas=None, style: str = "automate_dv") -> list:
    """One starter prompt per selected entity and subject area (everything when both are None)."""
    if style not in STYLES:
        raise UsageError(f"--style must be one of {', '.join(STYLES)}, got {style}")
    if entities is None and areas is None:
        entities, areas = builder.entity_names, builder.subject_areas()
    documents = []
    for name in entities or []:
        text = macro_api.spec_prompt(builder.entity_spec(name), style)
        documents.append(Document(f"{name}.prompt.md", text, "prompt", name))
    for area in areas or []:
        text = macro_api.spec_prompt(builder.subject_area_spec(area), style)
        documents.append(Document(f"subject_area_{area}.prompt.md", text, "prompt", area))
    return documents


def instruction_documents(builder: SpecBuilder, out_dir: str, style: str = "automate_dv") -> list:
    """`.github/copilot-instructions.md`, `.github/instructions/data-vault.instructions.md`,
    `AGENTS.md`, `CLAUDE.md` and the project's `dbt-styleguide.md`, for files written under `out_dir`:
    paths in them are relative to it when it holds the project (a repository root above the dbt
    project), else relative to the project. The last two are managed blocks (kind `managed_block`):
    merged into a person's file by `write_managed_block`, never replacing it."""
    root = os.path.abspath(builder.design.project.root)
    out = os.path.abspath(out_dir)
    relative = os.path.relpath(root, out).replace(os.sep, "/")
    # Outside the repository (a preview folder), paths are written as if the folder were the project.
    prefix = "" if relative == "." or relative.startswith("..") else relative
    if style not in STYLES:
        raise UsageError(f"--style must be one of {', '.join(STYLES)}, got {style}")
    files = macro_api.instruction_files(builder.resolved, builder.context, prefix, style)
    return [Document(item["path"], item["content"], "managed_block" if item.get("managed") else "instructions", item["path"])
            for item in files]


# ---------------------------------------------------------------- managed blocks

_BLOCK = re.compile(r"<!-- dv-spec:begin [^\n]*?checksum: ([0-9a-f]{32}) -->\n(.*?)<!-- dv-spec:end -->\n?", re.S)


def managed_block(content: str) -> str:
    """`content` between dv-spec's markers, the begin marker carrying a checksum of the content."""
    checksum = hashlib.md5(content.encode("utf-8")).hexdigest()
    return (f"<!-- dv-spec:begin (written by `dv-spec prompts --instructions`; edit outside this block, "
            f"dv-spec replaces it) checksum: {checksum} -->\n{content}<!-- dv-spec:end -->\n")


def merge_managed_block(current: str | None, content: str, force: bool = False) -> tuple:
    """(new text or None to leave the file as it is, action). Every line outside the block is kept:
    a file without the block gets it appended; a block edited by hand since (checksum) is kept
    unless `force`."""
    block = managed_block(content)
    if current is None:
        return block, "created"
    match = _BLOCK.search(current)
    if match is None:
        separator = "" if not current or current.endswith("\n\n") else ("\n" if current.endswith("\n") else "\n\n")
        return current + separator + block, "updated (dv-spec block appended; every line of the file kept)"
    inside = match.group(2)
    if hashlib.md5(inside.encode("utf-8")).hexdigest() != match.group(1) and not force:
        return None, "kept (its dv-spec block was edited by hand; --force replaces the block)"
    merged = current[:match.start()] + block + current[match.end():]
    return (None, "unchanged") if merged == current else (merged, "updated (dv-spec block replaced)")


def write_managed_block(root: str, path: str, content: str, force: bool = False):
    """Merge one managed block into `root/path` (see merge_managed_block); returns an Outcome."""
    target = os.path.join(root, path)
    text, action = merge_managed_block(read_if_exists(target), content, force)
    if text is not None:
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        write_atomic(target, text)
    return Outcome(path, action)


# ---------------------------------------------------------------- review


def implementation_sql(builder: SpecBuilder, name: str, sql_file: str | None = None) -> tuple:
    """(sql, where it came from): the --sql file, else the compiled SQL under target/compiled (what
    `dv-spec check` reads, so its line numbers match), else the model file; (None, None) when none exists."""
    root = builder.design.project.root
    if sql_file:
        return read_input(sql_file, "--sql"), sql_file
    model_path = builder.entity_spec(name)["model"]["path"]
    compiled = os.path.join("target", "compiled", builder.design.project.name, model_path)
    for candidate in (compiled, model_path):
        full = os.path.join(root, candidate)
        if os.path.isfile(full):
            return read_input(full), candidate.replace(os.sep, "/")
    return None, None


def check_findings(report_path: str | None, entity: str) -> dict | None:
    """The findings of a `dv-spec check --format json` report that concern `entity`:
    {report, failed, skipped, passed, flags}; None without a report."""
    if not report_path:
        return None
    report = read_json_input(report_path, "--check-report")
    if isinstance(report, dict) and isinstance(report.get("report"), dict):
        report = report["report"]
    if not isinstance(report, dict) or not isinstance(report.get("outcomes", []), list):
        raise UsageError(f"--check-report {report_path}: not a `dv-spec check --format json` report (no `outcomes` list)")
    prefix = f"AC-{entity}-"
    findings = {"report": True, "failed": [], "skipped": [], "passed": [], "flags": []}
    for outcome in report.get("outcomes") or []:
        if not isinstance(outcome, dict):
            continue
        criterion = str(outcome.get("criterion", ""))
        if outcome.get("entity") != entity and not criterion.startswith(prefix):
            continue
        status = outcome.get("status")
        item = {"criterion": criterion, "check": str(outcome.get("check", "")), "text": str(outcome.get("text", "")),
                "problems": [_problem(p) for p in outcome.get("problems") or []]}
        if status == "fail":
            findings["failed"].append(item)
        elif status == "not_verified":
            findings["skipped"].append(item)
        elif status == "pass":
            findings["passed"].append(criterion)
    flags = report.get("review") if isinstance(report.get("review"), list) else report.get("flags")
    for flag in flags or []:
        if not isinstance(flag, dict):
            continue
        entities = flag.get("entities") or []
        criteria = [str(c) for c in flag.get("criteria") or []]
        if entity not in entities and flag.get("model") != entity and not any(c.startswith(prefix) for c in criteria):
            continue
        findings["flags"].append({"rule": str(flag.get("rule", "")), "name": str(flag.get("name", "")),
                                  "message": str(flag.get("message", "")), "model": str(flag.get("model", "")),
                                  "line": flag.get("line", ""), "criteria": criteria})
    findings["failed"].sort(key=lambda item: item["criterion"])
    findings["skipped"].sort(key=lambda item: item["criterion"])
    findings["passed"].sort()
    return findings


_AC_TEST = re.compile(r"ac_(?P<entity>.+)_(?P<number>\d{2})_(?P<test>[a-z0-9_]+)$")


def test_results(run_results_path: str | None, entity: str) -> dict | None:
    """The entity's `ac_` tests in a dbt `target/run_results.json`: {report, failed, passed}, each
    failed item {criterion, test, status, failures, message, sql, relation}; None without a file.
    dbt records no failing rows there: `failures` counts them, `sql` is the test's compiled query
    that returns them, `relation` the table holding them when the test ran with --store-failures."""
    if not run_results_path:
        return None
    data = read_json_input(run_results_path, "--run-results")
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise UsageError(f"--run-results {run_results_path}: not a dbt run_results.json (no `results` list)")
    results = {"report": True, "failed": [], "passed": []}
    for item in data["results"]:
        unique_id = str(item.get("unique_id", "")) if isinstance(item, dict) else ""
        parts = unique_id.split(".")
        match = _AC_TEST.match(parts[2]) if len(parts) > 2 and parts[0] == "test" else None
        if not match or match.group("entity") != entity:
            continue
        criterion = f"AC-{entity}-{match.group('number')}"
        if item.get("status") in ("pass", "success"):
            results["passed"].append(criterion)
            continue
        results["failed"].append({"criterion": criterion, "test": parts[2], "status": str(item.get("status", "")),
                                  "failures": item.get("failures"), "message": str(item.get("message") or ""),
                                  "sql": str(item.get("compiled_code") or "").strip(), "relation": str(item.get("relation_name") or "")})
    results["failed"].sort(key=lambda failed: failed["criterion"])
    results["passed"].sort()
    return results


def _problem(problem) -> dict:
    if isinstance(problem, dict):
        return {"model": str(problem.get("model", "")), "line": problem.get("line", ""), "message": str(problem.get("message", ""))}
    return {"model": "", "line": "", "message": str(problem)}


def review_document(builder: SpecBuilder, name: str, check_report: str | None = None, sql_file: str | None = None,
                    run_results: str | None = None) -> Document:
    if name not in builder.resolved["entities"]:
        hint = did_you_mean(name, builder.resolved["entities"])
        raise UsageError(f"--review: no design entity named `{name}`" + (f"; {hint}" if hint else ""))
    sql, origin = implementation_sql(builder, name, sql_file)
    findings = check_findings(check_report, name)
    tests = test_results(run_results, name)
    text = macro_api.review_prompt(builder.entity_spec(name), sql, origin, findings, tests)
    return Document(f"{name}.review.md", text, "prompt", name)
