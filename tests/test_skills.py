"""The Agent Skills the dbt package ships (skills/<name>/SKILL.md) are well-formed and
only name dv-spec commands and options that exist. No database needed."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

from dv_spec_tool.interfaces.cli import build_parser

SKILLS = Path(__file__).resolve().parents[1] / "skills"
NAMES = sorted(path.name for path in SKILLS.iterdir() if path.is_dir())


def test_the_three_skills_are_shipped():
    assert NAMES == ["dv-spec-implement-entity", "dv-spec-plan-refactor", "dv-spec-review-implementation"]


@pytest.mark.parametrize("name", NAMES)
def test_skill_front_matter_follows_the_agent_skills_format(name):
    text = (SKILLS / name / "SKILL.md").read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, "SKILL.md starts with YAML front matter between --- lines"
    meta = yaml.safe_load(match.group(1))
    assert meta["name"] == name and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) and len(name) <= 64
    assert 0 < len(meta["description"]) <= 1024 and "Use when" in meta["description"]


@pytest.mark.parametrize("name", NAMES)
def test_skill_commands_parse(name):
    """Every `dv-spec ...` command in a skill is accepted by the command line's parser."""
    text = (SKILLS / name / "SKILL.md").read_text(encoding="utf-8")
    commands = re.findall(r"`dv-spec ([^`]+)`", text)
    assert commands
    parser = build_parser()
    for command in commands:
        words = [re.sub(r"<([a-z]+)>", r"x_\1", word) for word in shlex.split(command.replace("...", ""))]
        args = parser.parse_args(words)  # argparse exits (SystemExit) on an unknown command or option
        assert args.command == words[0]
