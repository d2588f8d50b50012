"""The compiled-macro cache: generators give the same output with it, without it,
and when it cannot be written (no database needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "integration_tests"


def spec_of(env_cache: str | None, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("DV_SPEC_CACHE_DIR", None)
    if env_cache is not None:
        env["DV_SPEC_CACHE_DIR"] = env_cache
    return subprocess.run([sys.executable, "-m", "dv_spec_tool", "spec", "--project-dir", str(SAMPLE),
                           "--select", "hub_provider"], capture_output=True, text=True, env=env, cwd=tmp_path)


def test_cached_and_uncached_generators_agree(tmp_path):
    cache = tmp_path / "cache"
    uncached = spec_of("", tmp_path)
    first = spec_of(str(cache), tmp_path)
    files = sorted(os.listdir(cache))
    second = spec_of(str(cache), tmp_path)
    assert uncached.returncode == first.returncode == second.returncode == 0, uncached.stderr + first.stderr
    assert uncached.stdout == first.stdout == second.stdout
    assert files and all(name.startswith("dv_spec_") for name in files)
    assert sorted(os.listdir(cache)) == files  # the second run compiled nothing new


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go\n")
    result = spec_of(str(blocker / "cache"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == spec_of("", tmp_path).stdout


def test_an_edited_macro_is_compiled_again(tmp_path, monkeypatch):
    """The cache is keyed by each file's source: an edit never runs stale code."""
    from dv_spec_tool.core import jinja

    macros = tmp_path / "macros"
    (macros / "design").mkdir(parents=True)
    source = macros / "design" / "greeting.sql"
    monkeypatch.setenv("DV_SPEC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(jinja, "macros_root", lambda: str(macros))
    answers = []
    for word in ("hello", "goodbye"):
        source.write_text("{%- macro greeting() -%}{{ return('" + word + "') }}{%- endmacro -%}\n")
        jinja._macro_sources_cached.cache_clear()
        answers.append(jinja.MacroRunner().call("greeting"))
    jinja._macro_sources_cached.cache_clear()
    assert answers == ["hello", "goodbye"]
