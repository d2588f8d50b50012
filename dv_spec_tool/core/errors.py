"""Errors that end a command with exit code 2 and one clear line."""


class UsageError(Exception):
    """Bad arguments or unreadable input: printed as one line, exit code 2."""
