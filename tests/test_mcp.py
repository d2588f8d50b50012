"""`dv-spec mcp`: a real MCP client session (the SDK's stdio client) starts
the server as a subprocess and calls its tools; scaffold writes nothing
unless called with dry_run=false."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
from pathlib import Path

import pytest

mcp = pytest.importorskip("mcp", reason="the MCP SDK is not installed (pip install 'dv-spec[mcp]')")
from mcp import ClientSession, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "integration_tests"


@pytest.fixture()
def project(tmp_path) -> Path:
    target = tmp_path / "sample"
    # Without the committed models, so that scaffold has files to create.
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb", "*.sql"))
    return target


def attr(value, snake: str, camel: str):
    """A field of an SDK type: snake_case in mcp 2, camelCase in mcp 1."""
    return getattr(value, snake) if hasattr(value, snake) else getattr(value, camel)


def is_error(result) -> bool:
    return bool(getattr(result, "is_error", getattr(result, "isError", False)))


def text_of(result) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


@contextlib.asynccontextmanager
async def mcp_session(project: Path):
    """`dv-spec mcp` for `project`, started through the SDK's stdio client: an initialised session."""
    server = StdioServerParameters(command=sys.executable, args=["-m", "dv_spec_tool", "mcp", "--project-dir", str(project)],
                                   env={"PYTHONPATH": str(REPO)}, cwd=str(project))
    with open(os.devnull, "w") as quiet:
        async with stdio_client(server, errlog=quiet) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


async def session_calls(project: Path, calls: list) -> tuple[list, list]:
    """Start `dv-spec mcp` through the stdio client, list its tools, make the calls."""
    async with mcp_session(project) as session:
        tools = (await session.list_tools()).tools
        results = [await session.call_tool(name, arguments) for name, arguments in calls]
    return tools, results


def run(project: Path, calls: list):
    return asyncio.run(asyncio.wait_for(session_calls(project, calls), timeout=60))


def test_validate_and_scaffold_through_a_real_client_session(project):
    tools, (validate, dry, bad, written) = run(project, [
        ("validate", {}),
        ("scaffold", {"select": ["hub_network", "sat_network_details"]}),
        ("validate", {"select": ["hub_netwrk"]}),
        ("scaffold", {"select": ["hub_network"], "dry_run": False}),
    ])
    by_name = {tool.name: tool for tool in tools}
    assert {"validate", "scaffold"} <= set(by_name)
    assert attr(by_name["validate"].annotations, "read_only_hint", "readOnlyHint") is True
    assert attr(by_name["scaffold"].annotations, "read_only_hint", "readOnlyHint") is False
    assert attr(by_name["scaffold"], "input_schema", "inputSchema")["properties"]["dry_run"]["default"] is True

    assert not is_error(validate)
    # The sample's one warning: referrals may name providers the hub has not loaded (DV230).
    assert " warning DV230 `nh_link_referral`" in text_of(validate)
    assert text_of(validate).endswith("1 warning in 16 design entities\n")

    assert not is_error(dry)
    lines = text_of(dry).splitlines()
    assert "would be created  models/raw_vault/network/hub_network.sql" in lines
    assert "would be created  models/raw_vault/network/sat_network_details.sql" in lines
    assert lines[-1].startswith("dry run: nothing was written")
    assert not (project / "models/raw_vault/network/sat_network_details.sql").exists()

    assert is_error(bad)
    assert "no design entity named `hub_netwrk`" in text_of(bad) and "did you mean `hub_network`?" in text_of(bad)

    assert not is_error(written)
    assert "created  models/raw_vault/network/hub_network.sql" in text_of(written).splitlines()
    assert (project / "models/raw_vault/network/hub_network.sql").read_text().count("automate_dv.hub(") == 1
    assert not (project / "models/raw_vault/network/sat_network_details.sql").exists()


def test_findings_come_back_with_file_and_line(project):
    design = project / "models/raw_vault/network/_network__design.yml"
    design.write_text(design.read_text().replace("hashdiff: network_details_hashdiff", "hashdif: network_details_hashdiff"))
    _, (result, scaffold) = run(project, [("validate", {}), ("scaffold", {})])
    assert "models/raw_vault/network/_network__design.yml:" in text_of(result)
    assert "DV101 unknown key `hashdif`" in text_of(result)
    assert text_of(result).endswith("fix them before spec, scaffold or check\n")
    assert is_error(scaffold) and "fix them first" in text_of(scaffold)


def test_spec_and_prompts_tools_when_installed(project):
    tools, (spec, prompt, missing) = run(project, [
        ("spec", {"select": ["hub_network"]}),
        ("prompts", {"select": ["subject_area:network"]}),
        ("spec", {"select": []}),
    ])
    names = {tool.name for tool in tools}
    if not {"spec", "prompts"} <= names:
        pytest.skip(f"spec/prompts are not part of this installation (tools: {sorted(names)})")
    assert "# hub_network (hub)" in text_of(spec)
    assert "subject area `network`" in text_of(prompt)
    assert is_error(missing) and "select one or more entities" in text_of(missing)
    assert not (project / "hub_network.md").exists()


def test_a_bad_project_is_one_line_before_any_session(capsys):
    from dv_spec_tool.interfaces import cli

    assert cli.main(["mcp", "--project-dir", "/no/such/project"]) == 2
    err = capsys.readouterr().err
    assert "no such directory" in err and err.count("\n") == 1


# ------------------------------------------------------------ design writing tools

PAYER = [{"name": "hub_payer", "description": "A health plan that pays the network's providers.",
          "config": {"meta": {"dv": {"kind": "hub", "subject_area": "agreement", "hash_key": "payer_hk",
                                     "business_keys": ["payer_name"],
                                     "sources": [{"source": "credentialing.raw_agreements"}]}}}},
         {"name": "link_agreement_payer", "description": "The payer an agreement is with.",
          "config": {"meta": {"dv": {"kind": "link", "subject_area": "agreement", "hash_key": "agreement_payer_hk",
                                     "hubs": ["hub_agreement", "hub_payer"],
                                     "sources": [{"source": "credentialing.raw_agreements"}]}}}}]
AGREEMENT_FILE = "models/raw_vault/agreement/_agreement__design.yml"


def snapshot(project: Path) -> dict:
    return {str(p.relative_to(project)): p.read_bytes() for p in project.rglob("*") if p.is_file()}


def proposal_id(result) -> str:
    first = text_of(result).splitlines()[0]
    assert first.startswith("proposal ") and first.endswith(": nothing was written."), first
    return first.split()[1].rstrip(":")


async def propose_then_apply(project: Path, entries) -> tuple:
    async with mcp_session(project) as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        before = snapshot(project)
        proposed = await session.call_tool("propose_entities", {"entries": entries})
        after_proposal = snapshot(project)
        applied = await session.call_tool("apply_proposal", {"proposal_id": proposal_id(proposed)})
        again = await session.call_tool("apply_proposal", {"proposal_id": proposal_id(proposed)})
    return tools, before, proposed, after_proposal, applied, again


def test_a_proposal_writes_nothing_and_an_accepted_one_exactly_its_entries(project):
    import yaml

    tools, before, proposed, after_proposal, applied, again = asyncio.run(
        asyncio.wait_for(propose_then_apply(project, PAYER), timeout=90))
    for name in ("contract", "conventions", "sources", "draft_prompt", "propose_entities", "apply_proposal"):
        assert name in tools
    assert attr(tools["propose_entities"].annotations, "read_only_hint", "readOnlyHint") is True
    assert attr(tools["apply_proposal"].annotations, "read_only_hint", "readOnlyHint") is False

    assert not is_error(proposed), text_of(proposed)
    assert after_proposal == before  # a proposal writes nothing
    text = text_of(proposed)
    assert f"would add  hub_payer  ({AGREEMENT_FILE})" in text and "no findings in 2 design entities" in text
    assert f"+++ b/{AGREEMENT_FILE}" in text and "+  - name: link_agreement_payer" in text
    assert "# Change set: `the files on disk` to the proposal" in text and "| `hub_payer` | `hub` | added |" in text

    assert not is_error(applied), text_of(applied)
    assert f"added  link_agreement_payer  ({AGREEMENT_FILE})" in text_of(applied)
    after = snapshot(project)
    assert {k: v for k, v in after.items() if k != AGREEMENT_FILE} == {k: v for k, v in before.items() if k != AGREEMENT_FILE}
    old, new = before[AGREEMENT_FILE].decode(), after[AGREEMENT_FILE].decode()
    assert new.startswith(old)  # every byte that was there stays
    added = yaml.safe_load("models:\n" + new[len(old):].lstrip("\n"))["models"]
    assert added == PAYER
    assert is_error(again) and "no proposal" in text_of(again)  # applied once


def test_an_invalid_or_stale_proposal_is_refused_and_nothing_written(project):
    bad = [dict(PAYER[0], config={"meta": {"dv": dict(PAYER[0]["config"]["meta"]["dv"], business_keys=["payer"])}})]
    before = snapshot(project)
    _, (refused, proposed) = run(project, [("propose_entities", {"entries": bad}),
                                           ("propose_entities", {"entries": PAYER[:1]})])
    assert is_error(refused)
    assert "refused: the design would not pass validate; nothing written" in text_of(refused)
    assert f"{AGREEMENT_FILE}:" in text_of(refused) and "DV300 column `payer` is not in `credentialing.raw_agreements`" in text_of(refused)
    assert snapshot(project) == before
    assert not is_error(proposed)

    async def stale():
        async with mcp_session(project) as session:
            proposal = await session.call_tool("propose_entities", {"entries": PAYER[:1]})
            design = project / AGREEMENT_FILE
            design.write_text(design.read_text() + "# a person's note, saved meanwhile\n")
            edited = snapshot(project)
            return edited, await session.call_tool("apply_proposal", {"proposal_id": proposal_id(proposal)})

    edited, applied = asyncio.run(asyncio.wait_for(stale(), timeout=60))
    assert is_error(applied) and "is stale" in text_of(applied) and "nothing written" in text_of(applied)
    assert snapshot(project) == edited


def test_rename_and_delete_name_their_dependents_and_need_the_dry_runs_version(project):
    tools, (rename_dry, delete_dry, delete_sat_dry) = run(project, [
        ("rename_entity", {"name": "hub_agreement", "to": "hub_contract"}),
        ("delete_entity", {"name": "hub_agreement"}),
        ("delete_entity", {"name": "sat_provider_agreement_terms"}),
    ])
    if "rename_entity" not in {tool.name for tool in tools}:
        pytest.skip("rename/delete need dv_spec_tool.generate.impact")
    assert attr(next(t for t in tools if t.name == "delete_entity").annotations, "destructive_hint", "destructiveHint") is True
    before = snapshot(project)
    text = text_of(rename_dry)
    assert "depends on it: link_provider_agreement (link, hub), sat_agreement_details (sat, parent)" in text
    assert "a new table `hub_contract` in the warehouse" in text and "dry run: nothing was written" in text
    assert "depends on it: link_provider_agreement (link, hub), sat_agreement_details (sat, parent)" in text_of(delete_dry)
    version = text.split("version: ")[1].split(".")[0]
    delete_version = text_of(delete_dry).split("version: ")[1].split(".")[0]
    sat_version = text_of(delete_sat_dry).split("version: ")[1].split(".")[0]
    assert "depends on it: nothing" in text_of(delete_sat_dry)

    _, (no_version, wrong, unconfirmed, renamed, deleted) = run(project, [
        ("rename_entity", {"name": "hub_agreement", "to": "hub_contract", "dry_run": False}),
        ("rename_entity", {"name": "hub_agreement", "to": "hub_contract", "dry_run": False, "version": "0" * 16}),
        ("delete_entity", {"name": "hub_agreement", "dry_run": False, "version": delete_version}),
        ("rename_entity", {"name": "hub_agreement", "to": "hub_contract", "dry_run": False, "version": version}),
        ("delete_entity", {"name": "sat_provider_agreement_terms", "dry_run": False, "version": sat_version}),
    ])
    assert is_error(no_version) and "pass the version" in text_of(no_version)
    assert is_error(wrong) and "stale" in text_of(wrong)
    assert is_error(unconfirmed) and "has 2 dependent(s)" in text_of(unconfirmed)
    assert not is_error(renamed), text_of(renamed)
    assert "the design validates without errors" in text_of(renamed)
    after = (project / AGREEMENT_FILE).read_text()
    assert "- name: hub_contract" in after and "hubs: [hub_provider, hub_contract]" in after
    assert "hash_key: agreement_hk" in after  # physical names kept
    assert not is_error(deleted) and "sat_provider_agreement_terms" not in after
    assert {k for k in snapshot(project) if snapshot(project)[k] != before.get(k)} == {AGREEMENT_FILE}


def test_reading_tools_give_the_contract_conventions_and_sources(project):
    import json

    _, (brief, schema, conventions, sources, unknown, prompt, outside) = run(project, [
        ("contract", {}),
        ("contract", {"format": "json_schema"}),
        ("conventions", {}),
        ("sources", {"select": ["raw_referrals"]}),
        ("sources", {"select": ["raw_referal"]}),
        ("draft_prompt", {"description": "Payers as a hub of their own."}),
        ("propose_entities", {"entries": PAYER[:1], "into": "/tmp/elsewhere.yml"}),
    ])
    assert "- `hub`: hash_key, business_keys, sources" in text_of(brief)
    assert json.loads(text_of(schema))["title"].startswith("dv-spec design block")
    assert json.loads(text_of(conventions))["settings"]["hash_algorithm"] == "md5"
    [referrals] = json.loads(text_of(sources))
    assert referrals["columns"][0] == ["referral_id", "varchar"] and referrals["record_sources"] == ["EHR.REFERRALS"]
    assert is_error(unknown) and "did you mean `raw_referrals`?" in text_of(unknown)
    assert "Payers as a hub of their own." in text_of(prompt) and "dv-spec new --from draft.yml" in text_of(prompt)
    assert is_error(outside) and "relative to the project" in text_of(outside)


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def answers_to(project: Path, lines: list) -> dict:
    """Write `lines` to `dv-spec mcp` and close its input at once, as a one-shot client does; {id: answer}."""
    import json
    import subprocess

    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    result = subprocess.run([sys.executable, "-m", "dv_spec_tool", "mcp", "--project-dir", str(project)], input=text,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                            timeout=120)  # a hang guard only
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    return {answer["id"]: answer for answer in answers if "id" in answer}


def test_every_request_read_before_end_of_input_is_answered(project):
    """The SDK cancels handlers still running at end of input; the server must answer them all first."""
    lines = [INITIALIZE, INITIALIZED, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
             {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "validate", "arguments": {}}}]
    for attempt in range(20):
        answers = answers_to(project, lines)
        assert sorted(answers) == [1, 2, 3], f"attempt {attempt + 1}: answered {sorted(answers)}"
        assert "validate" in {tool["name"] for tool in answers[2]["result"]["tools"]}
        assert answers[3]["result"]["content"][0]["text"].endswith(" in 16 design entities\n")  # the sample's one warning


def test_hostile_lines_do_not_stop_the_answers(project):
    deep = {"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {"x": [[[[[[[[]]]]]]]]}}
    lines = [INITIALIZE, INITIALIZED,
             "[" * 100_000 + "]" * 100_000,  # not a message the SDK reads: no answer, and no wait for one
             '{"jsonrpc": "2.0", "id": 5, "method": "tools/list", "params": {"x": ' + "[" * 500 + "]" * 500 + "}}",
             {"jsonrpc": "2.0", "id": 6, "method": "tools/list", "params": {"x": "a" * 10_000_000}},
             deep]
    answers = answers_to(project, lines)
    assert {1, 4, 6} <= set(answers) and all("result" in answers[i] for i in (1, 4, 6))
