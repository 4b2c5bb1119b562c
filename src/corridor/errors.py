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
        return self.text(*self.words(), self.message)

    def text(self, row_word: str, column_word: str, message: str) -> str:
        """The problem with these words for a row and a column and this message (a face
        passes them in the reader's language)."""
        where = self.file
        if self.row is not None:
            where += f", {row_word} {self.row}"
        if self.column:
            where += f", {column_word} {self.column}"
        return f"{where}: {message}"

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
    """A request cannot be answered: the common parent of the precise errors below.

    ``field`` names the part of the request at fault (``origin``, ``k``...) where known, so
    each face can point at it (the CLI in words, the web API in its error body).
    """

    field: str | None = None


class UnknownIdError(RequestError):
    """An id that no row of a table has.

    Attributes
    ----------
    table, id : str
        The table looked in and the id asked for.
    field : str or None
        The request field that carried the id.
    suggestions : tuple of str
        Ids that look alike ("did you mean").
    """

    def __init__(
        self,
        table: str,
        id: str,
        what: str,
        suggestions: tuple[str, ...] = (),
        field: str | None = None,
    ) -> None:
        self.table, self.id, self.what = table, id, what
        self.suggestions, self.field = suggestions, field
        hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"unknown {what} '{id}'{hint}")

    def at(self, field: str) -> UnknownIdError:
        """The same error, naming the request field that carried the id."""
        return UnknownIdError(self.table, self.id, self.what, self.suggestions, field)


class InvalidParameterError(RequestError):
    """A parameter outside what is allowed (a negative price, k out of range, NaN...).

    Attributes
    ----------
    name : str
        The parameter (also ``field``).
    value : object
        The value given.
    allowed : str
        What is allowed, in words.
    """

    def __init__(self, name: str, value: object, allowed: str, message: str | None = None):
        self.name, self.value, self.allowed, self.field = name, value, allowed, name
        super().__init__(message or f"{name} must be {allowed}, not {value!r}")


class NoRouteError(RequestError):
    """No route satisfies the request; the message says what blocks it."""


class SolverError(CorridorError):
    """The LP/MILP solver failed on a model that should have solved (not a user error)."""
