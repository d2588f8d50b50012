"""Changes to the design YAML: the YAML writer, new entities, renames and
deletes.
"""
