"""One set of validators for every value that enters corridor: command-line options, cells of
contracts and overlay files, scenario fields and API parameters.

Each validator takes what the user gave (text, or a value a YAML/JSON parser produced), returns
the value in its proper type, or raises :class:`InvalidValue` naming the field and saying what
it takes. They are strict where Python is lenient: ``float("nan")``, ``float("1e400")`` (inf),
``float("١٢٣")`` (Arabic-Indic digits read as 123) and ``bool("maybe")`` are all refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from corridor.errors import InvalidParameterError
from corridor.i18n import Message

# ASCII only: Python's float() and int() also read digits of other scripts.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
MAX_PENALTY_USD_PER_T = 1e6
"""Largest price per tonne of a crossing (``--penalise``, ``penalise``, risk penalty)."""
MAX_VOLUME_T_PER_YEAR = 1e10
"""Largest annual volume (ten times world iron-ore trade)."""
MAX_CARBON_PRICE_USD_PER_T = 1e4
"""Largest carbon price per tonne of CO2e."""

TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})


class InvalidValue(InvalidParameterError, ValueError):
    """A value its field does not take.

    It is an :class:`~corridor.errors.InvalidParameterError` (so the command line exits 2
    with the message and the API answers 422 naming the field) and a :class:`ValueError` (so
    table readers report it at the row and column).

    Parameters
    ----------
    field : str
        The field, option or column at fault (``--carbon-price``, ``distance_km``); may be
        empty when the caller names the place itself.
    reason : str
        What is wrong, e.g. ``must be a finite number, not 'nan'``.
    """

    def __init__(self, field: str, reason: str, value: object = None) -> None:
        said = Message("prob_field_reason", field=field, reason=reason) if field else reason
        super().__init__(field, value, reason, said)
        self.reason = reason


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def number(
    value: Any,
    field: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above_minimum: bool = False,
) -> float:
    """A finite number from text (ASCII digits only) or from a parsed int/float.

    Parameters
    ----------
    value : str, int or float
        What was given. Booleans, NaN, infinities and numbers too large for a float (``1e400``)
        are refused.
    field : str
        Field name for the message.
    minimum, maximum : float, optional
        Inclusive bounds; with ``above_minimum`` the minimum itself is refused too.

    Returns
    -------
    float

    Raises
    ------
    InvalidValue
        Not a finite number in range.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidValue(field, Message("prob_must_number", value=_shown(value)))
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            raise InvalidValue(field, Message("prob_must_number_ascii", value=_shown(value)))
        result = float(text)
    else:
        try:
            result = float(value)
        except OverflowError:
            raise InvalidValue(field, Message("prob_too_large")) from None
    if not math.isfinite(result):
        raise InvalidValue(field, Message("prob_must_finite", value=_shown(value)))
    if minimum is not None and (result < minimum or (above_minimum and result == minimum)):
        key = "prob_must_more_than" if above_minimum else "prob_must_at_least"
        raise InvalidValue(field, Message(key, minimum=f"{minimum:g}", value=f"{result:g}"))
    if maximum is not None and result > maximum:
        raise InvalidValue(
            field, Message("prob_must_at_most", maximum=f"{maximum:g}", value=f"{result:g}")
        )
    return result


def non_negative(value: Any, field: str, *, maximum: float | None = None) -> float:
    """A finite number ≥ 0 (see :func:`number`)."""
    return number(value, field, minimum=0.0, maximum=maximum)


def positive(value: Any, field: str, *, maximum: float | None = None) -> float:
    """A finite number > 0 (see :func:`number`)."""
    return number(value, field, minimum=0.0, maximum=maximum, above_minimum=True)


def integer(
    value: Any, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """A whole number within inclusive bounds, from ASCII text or a parsed int.

    Raises
    ------
    InvalidValue
        Not a whole number (``2.5``, ``١٢``, ``true``) or out of range; the message gives the
        bounds.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidValue(field, Message("prob_must_whole", value=_shown(value)))
    if isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text) or len(text) > 30:
            raise InvalidValue(field, Message("prob_must_whole_ascii", value=_shown(value)))
        value = int(text)
    result = int(value)
    if minimum is not None and result < minimum:
        raise InvalidValue(
            field, Message("prob_must_at_least", minimum=f"{minimum:,}", value=f"{result:,}")
        )
    if maximum is not None and result > maximum:
        raise InvalidValue(
            field, Message("prob_must_at_most", maximum=f"{maximum:,}", value=_shown(result))
        )
    return result


def boolean(value: Any, field: str) -> bool:
    """``true/false``, ``yes/no``, ``1/0`` (any case) or a parsed boolean; nothing else.

    Raises
    ------
    InvalidValue
        Anything else (``maybe``, ``2``, an empty cell when one is required).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise InvalidValue(field, Message("prob_must_bool", value=_shown(value)))


def choice(value: Any, field: str, choices: Iterable[str]) -> str:
    """One of ``choices``, exactly.

    Raises
    ------
    InvalidValue
        Anything else; the message lists the choices.
    """
    allowed = tuple(choices)
    if not isinstance(value, str) or value not in allowed:
        raise InvalidValue(
            field, Message("prob_must_one_of", allowed=", ".join(allowed), value=_shown(value))
        )
    return value


def text(value: Any, field: str) -> str:
    """A non-empty text (an id, a target), stripped of surrounding blanks.

    Raises
    ------
    InvalidValue
        Missing, empty or blank: an empty target would match everything or nothing.
    """
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidValue(field, Message("prob_must_id", value=_shown(value)))
    stripped = str(value).strip()
    if not stripped:
        raise InvalidValue(field, Message("prob_must_not_empty"))
    return stripped
