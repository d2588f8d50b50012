"""The core: project loading, YAML positions, the design model and its JSON
Schema, findings, kinds, the macro runner, file handling.
"""
