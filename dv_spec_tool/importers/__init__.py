"""Designs from elsewhere: diagrams (Lucidchart, draw.io, Mermaid) and
AutomateDV projects.
"""
