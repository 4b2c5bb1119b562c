"""Exception classes of corridor: each names what is wrong and where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes
    ----------
    file : str
        File name (or path) the problem is in.
    row : int | None
        Line number in the file (the header is line 1); ``None`` for the whole file.
    column : str | None
        Column at fault, if any.
    message : str
        What is wrong, in words a user can act on.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row_word, column_word = self.words()
        where = self.file
        if self.row is not None:
            where += f", {row_word} {self.row}"
        if self.column:
            where += f", {column_word} {self.column}"
        return f"{where}: {self.message}"

    def words(self) -> tuple[str, str]:
        """What the file calls its rows and its columns."""
        return "row", "column"


@dataclass(frozen=True)
class FileProblem(Problem):
    """A problem in a user's file (contracts, scenario): ``row`` is a line of YAML or a row
    of CSV, ``column`` a field."""

    line_word: str = "line"

    def words(self) -> tuple[str, str]:
        return self.line_word, "field"


class CorridorError(Exception):
    """Base class of every error corridor reports to users."""


class DataError(CorridorError):
    """Input tables are invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems]
        super().__init__(f"{len(problems)} problem(s) in the network data:\n" + "\n".join(lines))


class RequestError(CorridorError):
    """A request cannot be answered (unknown id, impossible rule, no route)."""
