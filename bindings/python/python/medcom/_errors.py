"""The exceptions medcom raises, each with the position in the input where it applies."""

from __future__ import annotations

from typing import Optional

__all__ = [
    "MedcomError",
    "ReadError",
    "UnsupportedError",
    "SchemaError",
    "AcknowledgeError",
    "UsageError",
]


class MedcomError(Exception):
    """The base of every error medcom raises.

    ``line`` and ``column`` (from 1) and ``byte`` (from 0) say where in the input the error
    applies; they are ``None`` when it applies to the input as a whole.
    """

    line: Optional[int]
    column: Optional[int]
    byte: Optional[int]

    def __init__(
        self,
        message: str,
        line: Optional[int] = None,
        column: Optional[int] = None,
        byte: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.byte = byte

    @property
    def position(self) -> Optional[tuple[int, int]]:
        """``(line, column)``, or ``None`` when the error has no position."""
        if self.line is None or self.column is None:
            return None
        return (self.line, self.column)

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.line}:{self.column}: {self.message}"


class ReadError(MedcomError, ValueError):
    """The input is not a readable message (the position says where reading stopped)."""


class UnsupportedError(MedcomError, ValueError):
    """The conversion asked for does not exist for this input, e.g. a FHIR message to EDIFACT."""


class SchemaError(MedcomError, ValueError):
    """An OIOXML letter with schema errors is refused: converting it would drop content."""


class AcknowledgeError(MedcomError, ValueError):
    """The message cannot be acknowledged (e.g. it has no MessageHeader, or no UNB segment)."""


class UsageError(MedcomError, ValueError):
    """An argument that does not apply, e.g. an unknown target format or acknowledgement code."""
