"""The command line, its commands, the MCP server, the studio and the report
formats for people.
"""
