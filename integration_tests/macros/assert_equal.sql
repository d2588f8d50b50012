{#-
    The dbt-codegen pattern for testing macros that generate text: a
    singular test calls the macro, compares its result with what is
    expected, and fails compilation with both texts when they differ.
-#}
{%- macro assert_equal(actual, expected, what="value") -%}
    {%- if actual != expected -%}
        {{ exceptions.raise_compiler_error(what ~ " differs.\n--- expected:\n" ~ expected ~ "\n--- actual:\n" ~ actual) }}
    {%- endif -%}
{%- endmacro -%}
