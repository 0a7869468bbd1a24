"""The one error type library code raises; only `cli.main` turns it into a message and exit code 2."""

from __future__ import annotations


class HeistGuardError(Exception):
    """Bad input or an unusable resource, said in one line: what, where, why."""

    def __init__(self, what: str, where: str | None = None, why: str | None = None) -> None:
        self.what = what
        self.where = where
        self.why = why
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = [self.what]
        if self.where:
            parts.append(f"in {self.where}")
        line = " ".join(parts)
        return f"{line}: {self.why}" if self.why else line


class BadInput(HeistGuardError):
    """The user gave us something we cannot read: a malformed value, file or option."""


class StoreError(HeistGuardError):
    """The DuckDB store cannot be used: locked by another process, newer schema, unreadable."""
