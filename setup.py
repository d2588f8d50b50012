"""The one thing pyproject.toml cannot say: ship the dbt package's macros/ in the wheel.

The repository keeps a single copy of the macros, in the dbt package's
`macros/`. The command line renders them (dv_spec_tool/core/jinja.py), so the
wheel and the sdist carry them as `dv_spec_tool/dbt_macros/`, where
`macros_root()` looks first.
"""

from setuptools import find_namespace_packages, setup

MACROS = "dv_spec_tool.dbt_macros"
macro_packages = [MACROS, *(f"{MACROS}.{name}" for name in find_namespace_packages(where="macros"))]

setup(
    packages=[*find_namespace_packages(include=["dv_spec_tool", "dv_spec_tool.*"]), *macro_packages],
    package_dir={MACROS: "macros"},
    package_data={name: ["*.sql", "*.yml"] for name in macro_packages},
)
