"""The core: project loading, YAML positions, the design model and its JSON
Schema, the resolved design's types, findings, kinds, the macro runner and its
one caller (macro_api), file handling.
"""
