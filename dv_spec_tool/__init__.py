"""dv-spec: spec-driven Data Vault design for dbt and AutomateDV."""

__version__ = "0.1.0"
