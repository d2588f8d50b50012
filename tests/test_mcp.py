"""`dv-spec mcp`: a real MCP client session (the SDK's stdio client) starts
the server as a subprocess and calls its tools; scaffold writes nothing
unless called with dry_run=false."""

from __future__ import annotations

import asyncio
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
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb"))
    return target


def attr(value, snake: str, camel: str):
    """A field of an SDK type: snake_case in mcp 2, camelCase in mcp 1."""
    return getattr(value, snake) if hasattr(value, snake) else getattr(value, camel)


def is_error(result) -> bool:
    return bool(getattr(result, "is_error", getattr(result, "isError", False)))


def text_of(result) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


async def session_calls(project: Path, calls: list) -> tuple[list, list]:
    """Start `dv-spec mcp` through the stdio client, list its tools, make the calls."""
    server = StdioServerParameters(command=sys.executable, args=["-m", "dv_spec_tool", "mcp", "--project-dir", str(project)],
                                   env={"PYTHONPATH": str(REPO)}, cwd=str(project))
    with open(os.devnull, "w") as quiet:
        async with stdio_client(server, errlog=quiet) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
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
    from dv_spec_tool import cli

    assert cli.main(["mcp", "--project-dir", "/no/such/project"]) == 2
    err = capsys.readouterr().err
    assert "no such directory" in err and err.count("\n") == 1
