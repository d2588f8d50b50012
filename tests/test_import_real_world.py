"""Existing AutomateDV projects as they are: the patterns found in public
projects (docs/real-world.md), each reproduced by a fixture written for these
tests, imported into a design that validates, and checked after `dbt compile`
with every criterion verified.

tests/fixtures/automate_dv_real_world: a raw layer of models over seeds,
hand-written stages (a quoted-literal record source, var() inside the YAML
metadata, a `SELECT *, ... AS LOAD_DATE` around the stage call), `_PK` keys,
`LOAD_DATE`, a hashdiff that includes the business key, a link whose src_fk
lists the hubs in another order than its hash, a t_link with src_eff.
tests/fixtures/dbtvault_project: the old `dbtvault.*` name, and a link whose
hash key is also a hub's.
"""

import json
import shutil
from pathlib import Path

import jinja2
import pytest
import yaml

import harness
import packages
from dv_spec_tool.core.project import load_project
from dv_spec_tool.importers.automate_dv_reader import read_model
from dv_spec_tool.interfaces.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def run(capsys, *args):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def designs(project: Path) -> dict:
    found = {}
    for path in sorted(project.glob("models/**/_*__design.yml")):
        for model in yaml.safe_load(path.read_text())["models"]:
            found[model["name"]] = model["config"]["meta"]["dv"]
    return found


@pytest.fixture
def shop(tmp_path):
    return harness.copy_project(FIXTURES / "automate_dv_real_world", tmp_path / "shop")


SHOP = {
    "v_stg_customers": {"kind": "stage", "sources": [
        {"model": "raw_customers", "record_source": "CRM", "load_datetime": "loaded_at"}]},
    "v_stg_orders": {"kind": "stage", "sources": [
        {"model": "raw_orders", "record_source": "SHOP",
         "load_datetime": {"expression": "CAST('2024-01-01 00:00:00' AS TIMESTAMP)"}}]},
    "hub_customer": {"kind": "hub", "hash_key": "CUSTOMER_PK", "business_keys": ["customer_id"],
                     "sources": [{"model": "v_stg_customers"}, {"model": "v_stg_orders"}]},
    "hub_order": {"kind": "hub", "hash_key": "ORDER_PK", "business_keys": ["order_id"],
                  "sources": [{"model": "v_stg_orders"}]},
    "link_customer_order": {"kind": "link", "hash_key": "LINK_CUSTOMER_ORDER_PK", "hubs": ["hub_customer", "hub_order"],
                            "sources": [{"model": "v_stg_orders"}]},
    "t_link_orders": {"kind": "nh_link", "hash_key": "TRANSACTION_PK", "hubs": ["hub_customer", "hub_order"],
                      "dependent_keys": ["order_date"], "payload": ["amount"], "effective_from": "EFFECTIVE_FROM",
                      "sources": [{"model": "v_stg_orders"}]},
    "sat_customer_details": {"kind": "sat", "parent": "hub_customer", "hashdiff": "CUSTOMER_HASHDIFF",
                             "payload": ["first_name", "CUSTOMER_EMAIL"], "sources": [{"model": "v_stg_customers"}],
                             "hashdiff_columns": ["customer_id", "first_name", "email"]},
    "sat_order_details": {"kind": "sat", "parent": "hub_order", "hashdiff": "ORDER_HASHDIFF", "payload": ["amount", "status"],
                          "effective_from": "EFFECTIVE_FROM", "sources": [{"model": "v_stg_orders"}]},
}


def test_first_import_of_a_project_as_it_is_validates(capsys, shop):
    code, out, err = run(capsys, "import", "automate-dv", "--project-dir", shop)
    assert (code, err) == (0, "") and "8 added, 0 replaced, 0 kept; 0 TODO(s) for the architect" in out, out
    assert designs(shop) == SHOP
    # The settings the models use are written on the first import, beside the project's own vars.
    settings = yaml.safe_load((shop / "dbt_project.yml").read_text())["vars"]
    assert settings["orders_system"] == "SHOP" and settings["dv_spec"] == {
        "load_datetime_column": "LOAD_DATE", "naming": {"hash_key": {"suffix": "_pk"}, "nh_link": None}}
    assert "set  vars.dv_spec.load_datetime_column: LOAD_DATE  (dbt_project.yml, as the models use it)" in out
    assert run(capsys, "validate", "--project-dir", shop)[1] == "no findings in 8 design entities\n"
    code, out, err = run(capsys, "spec", "--project-dir", shop, "--select", "v_stg_orders")
    assert code == 0 and "CAST('2024-01-01 00:00:00' AS TIMESTAMP)" in out


def test_imported_design_checks_clean_against_what_automate_dv_compiles(capsys, shop):
    """Needs AutomateDV and dbt_utils checkouts and DuckDB (dbt-duckdb)."""
    checkouts = packages.require_automate_dv()
    assert run(capsys, "import", "automate-dv", "--project-dir", shop)[0] == 0
    packages.install_packages(shop, checkouts)
    harness.run_dbt(shop, ["seed"], "duckdb", check=True)
    harness.run_dbt(shop, ["run"], "duckdb", check=True)  # AutomateDV lists a stage's columns from the database
    harness.run_dbt(shop, ["compile"], "duckdb", check=True)
    code, out, err = run(capsys, "check", "--project-dir", shop)
    assert (code, err) == (0, ""), out
    assert out.endswith("0 failed, 0 not verified; 0 items for review in 8 design entities\n"), out
    # The check reads the lineage up to the raw layer, the declared sources, and no further: a wrong
    # load-datetime expression in the design is a failure, not a skip.
    design = shop / "models" / "stage" / "_stage__design.yml"
    design.write_text(design.read_text().replace("2024-01-01 00:00:00", "2023-12-31 00:00:00"))
    code, out, _ = run(capsys, "check", "--project-dir", shop, "--select", "hub_order")
    assert code == 1 and "fail AC-hub_order-13 metadata_lineage: `load_date` (from v_stg_orders) is " in out
    assert "the design says the expression `CAST('2023-12-31 00:00:00' AS TIMESTAMP)`" in out


def test_dbtvault_calls_are_read_and_a_shared_hash_key_is_a_todo(capsys, tmp_path):
    project = harness.copy_project(FIXTURES / "dbtvault_project", tmp_path / "jaffle")
    code, out, err = run(capsys, "import", "automate-dv", "--project-dir", project)
    assert code == 1 and not err
    found = designs(project)
    assert sorted(found) == ["hub_customer", "hub_order", "link_customer_order", "sat_order_customer", "v_stg_orders"]
    assert found["v_stg_orders"]["sources"] == [
        {"model": "source_orders", "record_source": "CSV_ORDERS", "load_datetime": {"expression": "current_timestamp"}}]
    assert "TODO link_customer_order: hash_key: `CUSTOMER_PK` is also the hash key of hub `hub_customer`: a link's key " \
           "must be its own (hash the keys of all its hubs); which is right?" in out
    assert "TODO sat_order_customer: parent: `sat_order_customer`'s src_pk `CUSTOMER_PK` is the hash key of hub " \
           "`hub_customer` and link `link_customer_order`: which is its parent?" in out
    assert "TODO sat_order_customer: payload: `user_id` is also a business key of `hub_customer`'s; the design keeps " \
           "keys out of a payload (DV207)" in out
    # validate rejects only what a TODO names: the link's key, the key in the payload
    code, out, _ = run(capsys, "validate", "--project-dir", project)
    assert code == 1 and {line.split(": ")[0] for line in out.splitlines()[:-1]} == {
        "models/raw_vault/_raw_vault__design.yml:30:11", "models/raw_vault/_raw_vault__design.yml:34:15",
        "models/raw_vault/_raw_vault__design.yml:45:21"}
    assert "DV205 hash key `CUSTOMER_PK` is already the hash key of `hub_customer`" in out


@pytest.mark.parametrize("text, variables, macro, args, wrapper", [
    pytest.param("{% set m %}source_model: {{ var('src') }}\nsrc_pk: A_PK{% endset %}"
                 "{% set d = fromyaml(m) %}{{ automate_dv.hub(**d) }}", {"src": "stg_a"}, "hub", None, {},
                 id="var_in_yaml_block"),
    pytest.param("{{ dbtvault.hub(src_pk='A_PK', src_nk='A_ID', source_model='stg_a') }}", {}, "hub",
                 {"src_pk": "A_PK", "src_nk": "A_ID", "source_model": "stg_a"}, {}, id="dbtvault"),
    pytest.param("WITH s AS ({{ automate_dv.stage(source_model='raw_a') }}) SELECT *, {{ var('ld') }} AS LOAD_DATE FROM s",
                 {"ld": "CURRENT_TIMESTAMP"}, "stage", {"source_model": "raw_a"}, {"LOAD_DATE": "CURRENT_TIMESTAMP()"},
                 id="select_star_wrapper"),
])
def test_reader_renders_what_dbt_would(text, variables, macro, args, wrapper):
    call = read_model("m", "m.sql", text, variables)
    assert not call.error and call.macro == macro
    if args is not None:
        assert call.args == args
    assert call.wrapper_columns == wrapper


def test_var_the_project_does_not_set_is_named():
    call = read_model("m", "m.sql", "{{ automate_dv.hub(src_pk=var('pk')) }}", {})
    assert call.error == "calls var('pk'), which the project's dbt_project.yml does not set"


def test_a_model_without_automate_dv_is_ignored_and_an_empty_project_is_an_error(capsys, tmp_path):
    project = tmp_path / "plain"
    shutil.copytree(FIXTURES / "validate_base", project)
    code, out, err = run(capsys, "import", "automate-dv", "--project-dir", project)
    assert code == 2 and "nothing to import" in err


def test_a_dbt_project_with_a_key_twice_gets_the_settings_inserted_and_nothing_else_changed(capsys, shop):
    """The jaffle-shop vaults' dbt_project.yml has `clean-targets` twice (dbt keeps the last)."""
    project_file = shop / "dbt_project.yml"
    text = project_file.read_text().replace("config-version: 2\n", "config-version: 2\nclean-targets: [target]\n"
                                                                     "clean-targets: [target, dbt_modules]\n")
    project_file.write_text(text)
    code, out, err = run(capsys, "import", "automate-dv", "--project-dir", shop)
    assert code == 0, out
    new = project_file.read_text()
    assert new.replace("  dv_spec:\n    load_datetime_column: LOAD_DATE\n    naming:\n      hash_key:\n        suffix: _pk\n"
                       "      nh_link:\n", "") == text
    assert run(capsys, "validate", "--project-dir", shop)[1] == "no findings in 8 design entities\n"


def test_a_manifest_from_anywhere_keeps_the_projects_vars(tmp_path, monkeypatch):
    """A CI artefact: target/manifest.json copied out of the project, read from the project's folder."""
    import json

    from dv_spec_tool.core.project import load_manifest

    project = harness.copy_project(FIXTURES / "validate_base", tmp_path / "project")
    manifest = tmp_path / "artefacts" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text(json.dumps({"metadata": {"project_name": "validate_base"}, "nodes": {}, "sources": {}}))
    monkeypatch.chdir(project)
    loaded = load_manifest(str(manifest))
    assert loaded.root == str(project) and loaded.settings["load_datetime_column"] == "load_datetime"
    monkeypatch.chdir(tmp_path)  # elsewhere, and not the manifest's project: no vars to take
    assert load_manifest(str(manifest)).settings == {}


def tiny_project(root: Path, models: dict) -> Path:
    """A dbt project of the given {path: SQL} models (the patterns of one real project, written for these tests)."""
    root.mkdir()
    (root / "dbt_project.yml").write_text("name: tiny\nversion: '0.1.0'\nconfig-version: 2\nprofile: tiny\n")
    for path, text in models.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def test_one_column_as_load_datetime_and_record_source_is_a_todo(capsys, tmp_path):
    """The Willibald hub passes metadata['src_ldts'] as src_source too: its record source is its load datetime."""
    project = tiny_project(tmp_path / "shop", {
        "models/stage/stg_customers.sql": "{{ automate_dv.stage(include_source_columns=true, source_model='raw_customers',"
                                          " hashed_columns={'hk_customer_h': 'customer_id'}) }}",
        "models/raw/raw_customers.sql": "select 1 as customer_id, now() as ldts, 'crm' as rsrc",
        "models/vault/customer_h.sql": "{%- set m -%}\nsrc_pk: hk_customer_h\nsrc_nk: customer_id\nsrc_ldts: ldts\n"
                                       "source_model: stg_customers\n{%- endset -%}{% set d = fromyaml(m) %}"
                                       "{{ automate_dv.hub(src_pk=d['src_pk'], src_nk=d['src_nk'], src_ldts=d['src_ldts'],"
                                       " src_source=d['src_ldts'], source_model=d['source_model']) }}",
    })
    code, out, _ = run(capsys, "import", "automate-dv", "--project-dir", project)
    assert code == 1
    assert "TODO customer_h: sources: `customer_h` passes `ldts` as both src_ldts and src_source: its record source " \
           "would be its load datetime" in out
    settings = yaml.safe_load((project / "dbt_project.yml").read_text())["vars"]["dv_spec"]
    # the load datetime is kept, the record source is not taken from it; one hub is no naming convention
    assert settings == {"load_datetime_column": "ldts", "naming": {"hash_key": None, "hub": None}}


def test_naming_is_the_affix_all_names_share_on_either_side(capsys, tmp_path):
    """Willibald's `customer_h` / `hk_customer_h`: hubs end with _h (not the default side, a prefix); the hash keys
    share the default side's suffix `_h` (and a prefix), so the suffix is taken."""
    hub = ("{{{{ automate_dv.hub(src_pk='hk_{0}_h', src_nk='{0}_id', src_ldts='load_datetime', "
           "src_source='record_source', source_model='stg_{0}s') }}}}")
    stage = "{{{{ automate_dv.stage(source_model='raw_{0}s', hashed_columns={{'hk_{0}_h': '{0}_id'}}) }}}}"
    models = {}
    for name in ("customer", "product"):
        models[f"models/vault/{name}_h.sql"] = hub.format(name)
        models[f"models/stage/stg_{name}s.sql"] = stage.format(name)
        models[f"models/raw/raw_{name}s.sql"] = f"select 1 as {name}_id"
    project = tiny_project(tmp_path / "shop", models)
    run(capsys, "import", "automate-dv", "--project-dir", project)
    settings = yaml.safe_load((project / "dbt_project.yml").read_text())["vars"]["dv_spec"]
    assert settings["naming"] == {"hash_key": {"suffix": "_h"}, "hub": {"suffix": "_h"}}


def test_jinja_that_needs_dbt_leaves_the_rest_of_a_yaml_block_readable(capsys, tmp_path):
    """dbtvault projects stamp the run's start into derived columns with `{{ run_started_at.strftime(...) }}`."""
    stage = ("{%- set m -%}\nsource_model: raw_orders\nderived_columns:\n  RECORD_SOURCE: '!SHOP'\n"
             "  LOAD_DATETIME: 'TO_TIMESTAMP(''{{ run_started_at.strftime(\"%Y-%m-%d\") }}'')'\n"
             "hashed_columns:\n  ORDER_HK: ORDER_ID\n{%- endset -%}\n{% set d = fromyaml(m) %}"
             "{{ dbtvault.stage(include_source_columns=true, source_model=d['source_model'], "
             "derived_columns=d['derived_columns'], hashed_columns=d['hashed_columns']) }}")
    call = read_model("primed_orders", "primed_orders.sql", stage, {})
    assert not call.error and call.args["hashed_columns"] == {"ORDER_HK": "ORDER_ID"}
    assert call.args["derived_columns"]["LOAD_DATETIME"] == "TO_TIMESTAMP('{{ run_started_at.strftime(\"%Y-%m-%d\") }}')"
    assert call.notes == []
    project = tiny_project(tmp_path / "shop", {
        "models/stage/primed_orders.sql": stage,
        "models/raw/raw_orders.sql": "select 1 as ORDER_ID",
        "models/vault/hub_order.sql": "{{ dbtvault.hub(src_pk='ORDER_HK', src_nk='ORDER_ID', src_ldts='LOAD_DATETIME', "
                                      "src_source='RECORD_SOURCE', source_model='primed_orders') }}",
    })
    code, out, _ = run(capsys, "import", "automate-dv", "--project-dir", project)
    assert code == 0 and "added  hub_order" in out and "0 TODO(s)" in out
    # the load datetime is the stage's expression, Jinja and all: dbt renders it when the stage compiles
    found = designs(project)
    assert found["hub_order"] == {"kind": "hub", "hash_key": "ORDER_HK", "business_keys": ["ORDER_ID"],
                                  "sources": [{"model": "primed_orders"}]}
    expression = "TO_TIMESTAMP('{{ run_started_at.strftime(\"%Y-%m-%d\") }}')"
    written = found["primed_orders"]["sources"][0]["load_datetime"]["expression"]
    # dbt renders Jinja in schema YAML (config.meta too) when it parses: a raw block keeps it for run time
    assert written == "{% raw %}" + expression + "{% endraw %}"
    assert jinja2.Template(written).render() == expression  # what dbt's parse leaves in the manifest
    loaded = {entry.name: entry.dv for entry in load_project(str(project)).entries}
    assert loaded["primed_orders"]["sources"][0]["load_datetime"] == {"expression": expression}  # dv-spec reads the same


def test_a_load_datetime_dbt_renders_at_run_time_is_checked_against_what_it_rendered(capsys, tmp_path):
    """Needs AutomateDV and dbt_utils checkouts and DuckDB (dbt-duckdb). The hakkoda stages' `run_started_at`."""
    checkouts = packages.require_automate_dv()
    project = tiny_project(tmp_path / "shop", {
        "models/stage/primed_orders.sql": (
            "{%- set m -%}\nsource_model: raw_orders\nderived_columns:\n  RECORD_SOURCE: '!SHOP'\n"
            "  LOAD_DATETIME: \"CAST('{{ run_started_at.strftime('%Y-%m-%d %H:%M:%S') }}' AS TIMESTAMP)\"\n"
            "hashed_columns:\n  ORDER_HK: ORDER_ID\n{%- endset -%}\n{% set d = fromyaml(m) %}"
            "{{ automate_dv.stage(include_source_columns=true, source_model=d['source_model'], "
            "derived_columns=d['derived_columns'], hashed_columns=d['hashed_columns']) }}"),
        "models/raw/raw_orders.sql": "select 1 as ORDER_ID",
        "models/vault/hub_order.sql": "{{ config(materialized='incremental') }}"
                                      "{{ automate_dv.hub(src_pk='ORDER_HK', src_nk='ORDER_ID', src_ldts='LOAD_DATETIME', "
                                      "src_source='RECORD_SOURCE', source_model='primed_orders') }}",
    })
    with (project / "dbt_project.yml").open("a") as settings:
        settings.write("dispatch:\n  - macro_namespace: automate_dv\n    search_order: [tiny, dv_spec, automate_dv]\n")
    assert run(capsys, "import", "automate-dv", "--project-dir", project)[0] == 0
    packages.install_packages(project, checkouts)
    harness.run_dbt(project, ["run"], "duckdb", check=True)
    harness.run_dbt(project, ["compile"], "duckdb", check=True)
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    meta = manifest["nodes"]["model.tiny.primed_orders"]["config"]["meta"]["dv"]
    expression = "CAST('{{ run_started_at.strftime('%Y-%m-%d %H:%M:%S') }}' AS TIMESTAMP)"
    assert meta["sources"][0]["load_datetime"] == {"expression": expression}  # dbt's parse left the Jinja for run time
    code, out, err = run(capsys, "check", "--project-dir", project)
    assert (code, err) == (0, ""), out
    assert out.endswith("0 failed, 0 not verified; 0 items for review in 2 design entities\n"), out
    # the rendered value stands for the Jinja; the SQL around it is held to the design
    design = project / "models" / "stage" / "_stage__design.yml"
    written = design.read_text()
    design.write_text(written.replace("AS TIMESTAMP", "AS DATE"))
    code, out, _ = run(capsys, "check", "--project-dir", project, "--select", "hub_order")
    assert code == 1 and "fail AC-hub_order-13 metadata_lineage: `load_datetime` (from primed_orders) is `CAST('" in out
    # ... and the Jinja to what the stage holds as written: another run-time value is not the one rendered there
    design.write_text(written.replace("run_started_at", "invocation_args_dict"))
    code, out, _ = run(capsys, "check", "--project-dir", project, "--select", "hub_order")
    assert code == 1 and "fail AC-hub_order-13 metadata_lineage: `load_datetime` (from primed_orders) is `CAST('" in out


def test_a_stage_argument_the_model_never_sets_is_none_as_automate_dv_takes_it():
    """dbt_adv's stages pass `null_columns=null_columns` with no `set null_columns`: undefined, which AutomateDV
    treats as none (`is_something`); a required argument that is unset still makes the model unreadable."""
    call = read_model("stg", "stg.sql", "{{ automate_dv.stage(include_source_columns=true, source_model='raw', "
                                         "hashed_columns={'A_HK': 'A'}, null_columns=null_columns) }}", {})
    assert not call.error and call.args["null_columns"] is None and call.args["hashed_columns"] == {"A_HK": "A"}
    call = read_model("hub", "hub.sql", "{{ automate_dv.hub(src_pk=pk, src_nk='A', source_model='stg') }}", {})
    assert call.error == "uses `pk`, which is not set in this file"


TENANT_STAGE = ("{%- set m -%}\nsource_model: raw_customers\nderived_columns:\n  RECORD_SOURCE: '!CRM'\n"
                "  LOAD_DATE: loaded_at\n  CUSTOMER_ID: C_CUSTKEY\n  DV_TENANT_ID: '!default'\n  DV_BKEY_CODE: '!default'\n"
                "hashed_columns:\n  CUSTOMER_HK: [DV_TENANT_ID, DV_BKEY_CODE, C_CUSTKEY]\n"
                "  CUSTOMER_HASHDIFF: {is_hashdiff: true, exclude_columns: true, columns: [C_CUSTKEY]}\n"
                "{%- endset -%}\n{% set d = fromyaml(m) %}"
                "{{ automate_dv.stage(include_source_columns=true, source_model=d['source_model'], "
                "derived_columns=d['derived_columns'], hashed_columns=d['hashed_columns']) }}")


def test_a_hub_key_over_more_columns_than_the_hubs_keys_is_asked_once_for_every_reader(capsys, tmp_path):
    """dbt01 hashes a tenant id and a key-collision code with the customer id into the hub's key (src_nk: the id)."""
    project = tiny_project(tmp_path / "shop", {
        "models/stage/stg_customers.sql": TENANT_STAGE,
        "models/raw/raw_customers.sql": "select 1 as C_CUSTKEY, 'x' as C_NAME, now() as loaded_at",
        "models/vault/hub_customer.sql": "{{ automate_dv.hub(src_pk='CUSTOMER_HK', src_nk='CUSTOMER_ID', "
                                         "src_ldts='LOAD_DATE', src_source='RECORD_SOURCE', source_model='stg_customers') }}",
        "models/vault/sat_customer.sql": "{{ automate_dv.sat(src_pk='CUSTOMER_HK', src_hashdiff='CUSTOMER_HASHDIFF', "
                                         "src_payload=['C_NAME'], src_ldts='LOAD_DATE', src_source='RECORD_SOURCE', "
                                         "source_model='stg_customers') }}",
    })
    code, out, _ = run(capsys, "import", "automate-dv", "--project-dir", project)
    assert code == 1
    assert "TODO hub_customer: business_keys: stage `stg_customers` hashes 3 column(s) into `CUSTOMER_HK` but src_nk lists 1" in out
    assert ("TODO sat_customer: sources: stage `stg_customers` hashes 3 column(s) into `CUSTOMER_HK`, the key of hub "
            "`hub_customer`, which has 1 business key(s)") in out
    # what AutomateDV's exclude_columns hashes depends on the database's columns: asked, never guessed
    assert ("TODO sat_customer: hashdiff: stage `stg_customers` hashes every column but C_CUSTKEY (exclude_columns) into "
            "`CUSTOMER_HASHDIFF`: list the columns it hashes in `hashdiff_columns`") in out
    assert "business_keys" not in designs(project)["sat_customer"]["sources"][0]  # no key of another length (DV217)
    code, out, _ = run(capsys, "validate", "--project-dir", project)
    assert "DV217" not in out and "DV206" not in out, out


def test_jinja_that_needs_dbt_anywhere_but_a_derived_column_makes_the_model_unreadable():
    text = ("{%- set m -%}\nsource_model: raw_orders\nhashed_columns:\n  ORDER_HK: '{{ my_macro() }}'\n{%- endset -%}"
            "{% set d = fromyaml(m) %}{{ automate_dv.stage(source_model=d['source_model'], hashed_columns=d['hashed_columns']) }}")
    call = read_model("stg", "stg.sql", text, {})
    assert call.error == "`{{ my_macro() }}` needs dbt to render, and it sits in hashed_columns.ORDER_HK"
