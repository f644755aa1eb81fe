"""Errors a user can act on.

Services raise these with a message that says what is wrong, where, and what to do; the CLI
prints the message as one line on stderr and exits with ``exit_code``. Anything else that escapes
is a bug and is reported as such (with the traceback only under ``-v``).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3  # the command finished, but some input rows were rejected


class ClientbaseError(Exception):
    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(ClientbaseError):
    """The command line itself is wrong (bad option value, unknown field, bad expression)."""

    exit_code = EXIT_USAGE


class InputFileError(ClientbaseError):
    """An input file cannot be read as a whole (missing, undecodable, unknown format)."""


class NotFoundError(ClientbaseError):
    """An id or name given on the command line does not exist."""


class DatabaseError(ClientbaseError):
    """The database cannot be opened, is locked, or has a schema this version does not know."""
