{#-
    review_prompt(spec, sql=none, sql_origin=none, findings=none): a reviewer
    prompt for one entity: the spec (entity_spec), the implementation's SQL
    (the model file or its compiled SQL) and what `dv-spec check` found,
    asking an assistant to review exactly the flagged items and the criteria
    no machine judges (verified_by "review"), and nothing the tools already
    verified and passed.

    findings (from a `dv-spec check --format json` report, normalised by the
    command line): {report: bool, failed: [{criterion, check, text, problems:
    [{model, line, message}]}], skipped: [same], passed: [criterion ids],
    flags: [{rule, name, message, model, line, criteria}]}; none when no
    report was given.

    tests (from dbt's run_results.json, normalised by the command line):
    {report: bool, failed: [{criterion, test, status, failures, message, sql,
    relation}], passed: [criterion ids]}; none when no results were given.
-#}
{%- macro review_prompt(spec, sql=none, sql_origin=none, findings=none, tests=none) -%}
    {%- if spec is not mapping or spec.get("spec_type") != "entity" -%}
        {{ exceptions.raise_compiler_error("review_prompt: `spec` must be what entity_spec returns; got " ~ (spec | string)[:80]) }}
    {%- endif -%}
    {%- set findings = findings or {"report": false, "failed": [], "skipped": [], "passed": [], "flags": []} -%}
    {%- set review = [] -%}
    {%- set machine = [] -%}
    {%- for criterion in spec.acceptance_criteria -%}
        {%- do (review if criterion.verified_by == "review" else machine).append(criterion) -%}
    {%- endfor -%}

    {%- set items = [] -%}
    {%- for outcome in findings.failed -%}
        {%- set where = [] -%}
        {%- for problem in outcome.problems or [] -%}
            {%- do where.append("    - " ~ (problem.model ~ ":" ~ problem.line ~ ": " if problem.get("model") else "") ~ problem.message | replace("\n", " ")) -%}
        {%- endfor -%}
        {%- do items.append("- **" ~ outcome.criterion ~ " failed** (`dv-spec check` " ~ outcome.check ~ "): " ~ outcome.text | replace("\n", " ")
            ~ ("\n" ~ where | join("\n") if where else "")) -%}
    {%- endfor -%}
    {%- for outcome in findings.skipped -%}
        {%- set where = [] -%}
        {%- for problem in outcome.problems or [] -%}
            {%- do where.append("    - " ~ problem.message | replace("\n", " ")) -%}
        {%- endfor -%}
        {%- do items.append("- **" ~ outcome.criterion ~ " could not be checked** (`dv-spec check` " ~ outcome.check ~ "): judge it by reading the SQL. "
            ~ outcome.text | replace("\n", " ") ~ ("\n" ~ where | join("\n") if where else "")) -%}
    {%- endfor -%}
    {%- for flag in findings.flags -%}
        {%- do items.append("- **" ~ flag.rule ~ " " ~ flag.name ~ "** at " ~ flag.model ~ ":" ~ flag.line ~ ": " ~ flag.message | replace("\n", " ")
            ~ (" (for " ~ flag.criteria | join(", ") ~ ")" if flag.criteria else "")) -%}
    {%- endfor -%}
    {%- if not findings.report -%}
        {%- set flagged = "No `dv-spec check` report was given, so nothing is known to have passed: review every `dv-spec check` criterion in the table below by reading the SQL, as well as the review criteria." -%}
    {%- elif not items -%}
        {%- set flagged = "`dv-spec check` found nothing to flag for `" ~ spec.name ~ "`" ~ (" (passed: " ~ findings.passed | join(", ") ~ ")" if findings.passed else "") ~ "." -%}
    {%- else -%}
        {%- set flagged = items | join("\n") -%}
    {%- endif -%}

    {%- set test_items = [] -%}
    {%- for failed in (tests or {}).get("failed", []) -%}
        {%- set rows = (failed.failures ~ " failing row" ~ ("" if failed.failures == 1 else "s")) if failed.failures is not none else "no row count" -%}
        {%- set see = ("select them from " ~ dv_spec._md_code(failed.relation) if failed.relation
                       else "run the query below, or `dbt test --select " ~ failed.test ~ " --store-failures` to keep them") -%}
        {%- do test_items.append("- **" ~ failed.criterion ~ " " ~ failed.status ~ "** (dbt test `" ~ failed.test ~ "`): " ~ rows ~ "; " ~ see ~ "."
            ~ ("\n    " ~ failed.message | replace("\n", " ") if failed.message and failed.status == "error" else "")
            ~ ("\n\n" ~ dv_spec._md_fence(failed.sql, "sql") | indent(4, true) if failed.sql else "")) -%}
    {%- endfor -%}
    {%- if tests is none -%}
        {%- set tested = "No dbt results were given (`--run-results target/run_results.json`): the `ac_` tests' outcome is not known here." -%}
    {%- elif not test_items -%}
        {%- set tested = "Every `ac_` test of `" ~ spec.name ~ "` in the results passed" ~ (" (" ~ tests.passed | join(", ") ~ ")" if tests.passed else ": none ran") ~ "." -%}
    {%- else -%}
        {%- set tested = test_items | join("\n") -%}
    {%- endif -%}

    {%- set review_lines = [] -%}
    {%- for criterion in review -%}
        {%- do review_lines.append("- **" ~ criterion.id ~ "**: " ~ criterion.text) -%}
    {%- endfor -%}

    {%- set out = [
        "# Review `" ~ spec.name ~ "` (" ~ spec.kind ~ ") against its spec", "",
        "> Reviewer prompt for Copilot Chat or Claude, generated by `dv-spec prompts --review`. Paste it whole.", "",
        "## Context", "",
        "You are reviewing a dbt model that implements one entity of a Data Vault 2.0 design on Snowflake; it may have been written by a person or by an assistant. "
            ~ "Machines have already checked what they can: the `ac_` dbt tests and `dv-spec check` (the compiled SQL against the design). "
            ~ "Your review is for a person to act on: be specific, quote lines, and do not rewrite the model.", "",
        "## Review exactly these", "",
        "### Failed by the `ac_` dbt tests", "",
        tested, "",
        "### Flagged by `dv-spec check`", "",
        flagged, "",
        "### Criteria only a person (or you) can judge", "",
        review_lines | join("\n") if review_lines else "None.", "",
        "## Already verified by machines (context, not to re-review unless a flag points there)", "",
        dv_spec._spec_criteria_table(machine), "",
        "## Answer with", "",
        "1. One entry per failed test, flagged item and review criterion above: the id or flag, a verdict (**OK**, **needs a change** or **question for the architect**), the SQL line(s) it concerns, and the smallest change that would fix it.",
        "2. Anything else in the SQL that contradicts the spec (columns, hash recipe, sources, record source, load pattern), with the line.",
        "3. Nothing else: no style advice, no rewrite.", "",
        "## The implementation", "",
        ("From " ~ dv_spec._md_code(sql_origin) ~ ":" if sql_origin else "The SQL:"), "",
        dv_spec._md_fence(sql, "sql") if sql else "_No SQL given: the model file does not exist yet; review the flags against the spec only, or pass `--sql FILE`._", "",
        "## The spec", "",
        dv_spec._spec_entity_markdown(spec, 3),
    ] -%}
    {{ return(dv_spec._md_generated(out | join("\n") | trim ~ "\n", "the spec of " ~ spec.kind ~ " " ~ spec.name ~ (" and " ~ sql_origin if sql_origin else ""), "dv-spec prompts --review")) }}
{%- endmacro -%}
