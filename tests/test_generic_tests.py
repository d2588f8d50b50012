"""dv_spec's generic Data Vault tests, on DuckDB and on the fakesnow emulator.

Builds tests/fixtures/acceptance_tests_project once per target (``dbt
build``): every generic test in macros/generic_tests/ is applied to a relation
that must pass and to relations with one defect each that must fail; each test
says which in ``config.meta.expect``. The same build materialises
``hash_samples`` (written by this module): dv_spec.hash_expression over
sample values, compared here with the bytes Python computes with AutomateDV's
rules.

Argument errors and hash settings from project vars are checked on DuckDB
only: they are compile-time behaviour, the same on every adapter.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from harness import FIXTURES, REPO_ROOT, copy_project, query, run_dbt, strip_ansi

pytestmark = pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result:UserWarning")

PROJECT = FIXTURES / "acceptance_tests_project"
GENERIC_TESTS = sorted(path.stem for path in (REPO_ROOT / "macros" / "generic_tests").glob("*.sql"))

# (sample_id, a, b, n): spacing, casing, NULLs, blank strings, non-ASCII,
# values that contain the separator or the placeholder.
SAMPLES = [
    (1, "abc", "def", 7),
    (2, "  abc  ", "DEF", 7),
    (3, None, "x", None),
    (4, "   ", None, None),
    (5, "café", "Ünïcode", 1),
    (6, "a||b", "^^", 0),
    (7, None, None, None),
]


# ------------------------------------------------ AutomateDV's rules, in Python


def _standardise(value, upper=True):
    """NULLIF(UPPER(TRIM(CAST(value AS VARCHAR))), '')."""
    if value is None:
        return None
    text = str(value).strip(" ")
    return (text.upper() if upper else text) or None


def _key_string(values, sep="||", placeholder="^^", upper=True):
    """A list of columns: placeholders for NULLs, NULL when all are NULL."""
    text = sep.join(_standardise(v, upper) or placeholder for v in values)
    return None if text == sep.join([placeholder] * len(values)) else text


def _hashdiff_string(columns: dict, sep="||", placeholder="^^"):
    """A hashdiff: columns sorted by name, no all-NULL rule."""
    names = sorted(columns, key=str.lower)
    return sep.join(_standardise(columns[n]) or placeholder for n in names)


def _digest(text, algorithm="md5"):
    return None if text is None else hashlib.new(algorithm, text.encode("utf-8")).digest()


def _expected(sample):
    _, a, b, n = sample
    return {
        "single_a": _digest(_standardise(a)),
        "key_abn": _digest(_key_string([a, b, n])),
        "hashdiff_ba": _digest(_hashdiff_string({"b": b, "a": a})),
        "hashdiff_a": _digest(_standardise(a) or "^^"),
        "key_const_a": _digest(_key_string(["CRM", a])),
        "sha256_ab": _digest(_key_string([a, b]), "sha256"),
        "sha1_ab": _digest(_key_string([a, b]), "sha1"),
        "custom_ab": _digest(_key_string([a, b], sep="#", placeholder="<null>", upper=False)),
    }


def _sql_literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def _hash_samples_model() -> str:
    rows = ",\n        ".join("(" + ", ".join(_sql_literal(v) for v in sample) + ")" for sample in SAMPLES)
    return f"""{{# written by tests/test_generic_tests.py #}}
{{%- set settings = dv_spec._hash_settings() -%}}
{{%- set custom = {{}} -%}}
{{%- do custom.update(settings) -%}}
{{%- do custom.update({{'casing': 'disabled', 'concat_string': '#', 'null_placeholder': '<null>'}}) -%}}
{{%- set dispatched = adapter.dispatch('hash_expression', 'dv_spec') -%}}
WITH samples AS (
    SELECT
        CAST(sample_id AS INTEGER) AS sample_id,
        CAST(a AS VARCHAR) AS a,
        CAST(b AS VARCHAR) AS b,
        CAST(n AS INTEGER) AS n
    FROM (VALUES
        {rows}
    ) AS v (sample_id, a, b, n)
)
SELECT
    sample_id,
    {{{{ dv_spec.hash_expression('a') }}}} AS single_a,
    {{{{ dv_spec.hash_expression(['a', 'b', 'n']) }}}} AS key_abn,
    {{{{ dv_spec.hash_expression(['b', 'a'], is_hashdiff=true) }}}} AS hashdiff_ba,
    {{{{ dv_spec.hash_expression(['a'], is_hashdiff=true) }}}} AS hashdiff_a,
    {{{{ dv_spec.hash_expression(['!CRM', 'a']) }}}} AS key_const_a,
    {{{{ dispatched(dv_spec._hash_input(['a', 'b'], false, settings), 'sha256') }}}} AS sha256_ab,
    {{{{ dispatched(dv_spec._hash_input(['a', 'b'], false, settings), 'sha1') }}}} AS sha1_ab,
    {{{{ dispatched(dv_spec._hash_input(['a', 'b'], false, custom), 'md5') }}}} AS custom_ab
FROM samples
"""


HASH_COLUMNS = list(_expected(SAMPLES[0]))


# ------------------------------------------------------------------- the build


@pytest.fixture(scope="module")
def build(dbt_target, tmp_path_factory):
    """The fixture project, copied and built once per target."""
    project = copy_project(PROJECT, tmp_path_factory.mktemp(f"acceptance_{dbt_target}") / "project")
    (project / "models" / "hash_samples.sql").write_text(_hash_samples_model())
    run_dbt(project, ["deps"], dbt_target, check=True)
    result = run_dbt(project, ["build"], dbt_target)
    return project, result


def _tests(result):
    return [node for node in result.nodes.values() if node.resource_type == "test"]


def test_seeds_and_models_build(build):
    _, result = build
    broken = {n.name: n.message for n in result.nodes.values() if n.resource_type != "test" and n.status != "success"}
    assert result.nodes, strip_ansi(result.output)
    assert not broken, broken


def test_each_test_passes_or_fails_as_expected(build):
    _, result = build
    tests = _tests(result)
    assert tests, strip_ansi(result.output)
    wrong = {
        node.name: f"expected {node.meta.get('expect')}, got {node.status}: {node.message}"
        for node in tests
        if node.status != node.meta.get("expect")
    }
    assert not wrong, "\n".join(f"{name}: {why}" for name, why in sorted(wrong.items()))


def test_every_generic_test_has_a_passing_and_a_failing_fixture(build):
    _, result = build
    seen = {(node.test_name, node.status) for node in _tests(result) if node.status == node.meta.get("expect")}
    missing = [
        f"{name}: no {status} fixture"
        for name in GENERIC_TESTS
        for status in ("pass", "fail")
        if (name, status) not in seen
    ]
    assert GENERIC_TESTS
    assert not missing, missing


def test_acceptance_criterion_is_kept_in_test_meta(build):
    _, result = build
    node = result.by_name()["hub_customer__hub_hash_key_matches"]
    assert node.meta["acceptance_criterion"] == "AC-hub_customer-03"


def test_compiled_tests_select_no_star(build):
    _, result = build
    star = [n.name for n in _tests(result) if re.search(r"select\s+\*", n.compiled_code or "", re.IGNORECASE)]
    assert not star, star


def test_production_snowflake_sql_has_no_emulator_branch(build, dbt_target):
    if dbt_target != "fakesnow":
        pytest.skip("Snowflake SQL only")
    project, _ = build
    name = "ma_sat_customer_phone__no_repeated_hashdiff"
    result = run_dbt(project, ["compile", "--select", name], dbt_target, profile_overrides={"account": "xy12345"})
    sql = result.by_name()[name].compiled_code
    assert "HASH_AGG(phone_hashdiff)" in sql and "LISTAGG" not in sql, sql


def test_hash_expression_matches_python_bytes(build, dbt_target):
    project, _ = build
    columns = ", ".join(HASH_COLUMNS)
    rows = query(project, f"SELECT sample_id, {columns} FROM hash_samples ORDER BY sample_id", dbt_target)
    assert [row[0] for row in rows] == [s[0] for s in SAMPLES]
    mismatches = []
    for sample, row in zip(SAMPLES, rows):
        actual = dict(zip(HASH_COLUMNS, (None if v is None else bytes(v) for v in row[1:])))
        for column, expected in _expected(sample).items():
            if actual[column] != expected:
                mismatches.append(
                    f"sample {sample}: {column} = {actual[column] and actual[column].hex()}, "
                    f"expected {expected and expected.hex()}"
                )
    assert not mismatches, "\n".join(mismatches)


def test_python_rules_match_known_md5():
    # Known digests of normalised strings (independent of our helpers).
    assert hashlib.md5(b"ABC").hexdigest() == "902fbdd2b1df0c4f70b4a5d23525e932"
    assert _digest(_key_string(["  abc "])) == bytes.fromhex("902fbdd2b1df0c4f70b4a5d23525e932")
    assert _key_string(["P3", None]) == "P3||^^"
    assert _key_string([None, "  "]) is None
    assert _hashdiff_string({"name": None, "city": "rome"}) == "ROME||^^"


# ----------------------------------------- compile-time behaviour (DuckDB only)


@pytest.fixture(scope="module")
def parse_project(tmp_path_factory):
    """A copy of the fixture project with dependencies, for dbt parse / run-operation."""
    project = copy_project(PROJECT, tmp_path_factory.mktemp("acceptance_parse") / "project")
    (project / "models" / "zz_arguments.sql").write_text("SELECT 1 AS customer_hk\n")
    run_dbt(project, ["deps"], "duckdb", check=True)
    return project


BAD_ARGUMENTS = [
    pytest.param(
        "dv_spec.hub_hash_key_matches: {arguments: {hash_key: customer_hk}}",
        "dv_spec.hub_hash_key_matches: `business_keys` must be a non-empty list of column names",
        id="missing-business-keys",
    ),
    pytest.param(
        "dv_spec.link_foreign_keys_present: {arguments: {hubs: [{hub: hub_customer, foreign_key: customer_hk, hashkey: x}]}}",
        "unknown key `hashkey`",
        id="unknown-reference-key",
    ),
    pytest.param(
        "dv_spec.parent_key_present: {arguments: {parent_hash_key: customer_hk}}",
        "dv_spec.parent_key_present: `parent` must be a model name or ref('...')",
        id="missing-parent",
    ),
]


@pytest.mark.parametrize("test_yaml, message", BAD_ARGUMENTS)
def test_bad_arguments_fail_parse_with_the_right_shape(parse_project, test_yaml, message):
    schema = parse_project / "models" / "zz_bad_arguments.yml"
    schema.write_text(f"models:\n  - name: zz_arguments\n    data_tests:\n      - {test_yaml}\n")
    try:
        result = run_dbt(parse_project, ["parse", "--no-partial-parse"], "duckdb")
    finally:
        schema.unlink()
    output = strip_ansi(result.output)
    assert result.returncode != 0, output
    assert message in output, output
    assert "e.g." in output, output


def _show_hash(project, vars_yaml=None, columns="[a, b]"):
    args = ["run-operation", "show_hash_expression", "--args", f"{{columns: {columns}}}"]
    if vars_yaml:
        args += ["--vars", vars_yaml]
    result = run_dbt(project, args, "duckdb")
    output = strip_ansi(result.output)
    match = re.search(r"<<<(.*?)>>>", output, re.DOTALL)
    return result, output, match.group(1) if match else None


@pytest.mark.parametrize(
    "vars_yaml, function",
    [
        pytest.param("{dv_spec: {hash_algorithm: sha1}}", "UNHEX(SHA1(", id="dv_spec-sha1"),
        pytest.param("{hash: SHA}", "UNHEX(SHA256(", id="automate_dv-sha"),
        pytest.param("{hash: sha, dv_spec: {hash_algorithm: sha256}}", "UNHEX(SHA256(", id="both-agree"),
    ],
)
def test_hash_algorithm_follows_project_vars(parse_project, vars_yaml, function):
    result, output, sql = _show_hash(parse_project, vars_yaml)
    assert result.returncode == 0, output
    assert sql is not None and sql.startswith(function), sql


def test_automate_dv_string_vars_change_the_expression(parse_project):
    vars_yaml = "{concat_string: '#', null_placeholder_string: '<null>', hash_content_casing: disabled}"
    result, output, sql = _show_hash(parse_project, vars_yaml)
    assert result.returncode == 0, output
    assert "CONCAT_WS('#'" in sql and "'<null>#<null>'" in sql and "UPPER" not in sql, sql


def test_conflicting_hash_vars_are_an_error(parse_project):
    result, output, _ = _show_hash(parse_project, "{hash: MD5, dv_spec: {hash_algorithm: sha256}}")
    assert result.returncode != 0, output
    assert "vars.dv_spec.hash_algorithm is 'sha256' but AutomateDV's var `hash` means 'md5'" in output, output
