"""Message catalogue of the CLI, the reports, the brief and the exports, in English and Japanese.

Each language is one JSON file beside this module with the same keys; ``tests/i18n`` fails when
a key is missing from one of them or when code asks for a key that neither has. Messages are
``str.format`` templates.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("en", "ja")
_HERE = Path(__file__).resolve().parent


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, by key.

    Parameters
    ----------
    lang : str
        ``"en"`` or ``"ja"``.

    Returns
    -------
    dict
        Key -> template.
    """
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not '{lang}'")
    data: dict[str, str] = json.loads((_HERE / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def t(key: str, lang: str = "en", **values: Any) -> str:
    """One message in ``lang``, filled with ``values``.

    Parameters
    ----------
    key : str
        A key of the catalogue.
    lang : str
        ``"en"`` or ``"ja"``.
    **values
        Fields of the template.

    Returns
    -------
    str
        The message.
    """
    return catalogue(lang)[key].format(**values)


def family_name(family: str, lang: str = "en") -> str:
    """Name of a route family ("china", "trans_caspian+russia") in ``lang``."""
    names = catalogue(lang)
    return " + ".join(names.get(f"family_{f}", f) for f in family.split("+"))


def lang_from_env(environ: dict[str, str] | None = None) -> str:
    """The language of the user's locale: ``"ja"`` when LC_ALL, LC_MESSAGES or LANG starts
    with ``ja``, else ``"en"`` (the first of them that is set decides, as in POSIX)."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


class Message(str):
    """A library message that a face can show in another language.

    It *is* its English text (so code, JSON and logs that take a ``str`` see no change) and
    keeps its catalogue key and values, which :func:`localise` fills in ``lang``. Values may
    be plain, :class:`Named` (an id with its Japanese name) or other messages. Copies and
    pickles are the English text.
    """

    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, **values: Any) -> Message:
        obj = super().__new__(cls, t(key, "en", **values))
        obj.key, obj.values = key, values
        return obj

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (str, (str(self),))


class Named(str):
    """An id or English name as text, with the name to show in Japanese."""

    ja: str

    def __new__(cls, en: str, ja: str = "") -> Named:
        obj = super().__new__(cls, en)
        obj.ja = ja
        return obj

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (str, (str(self),))


class Joined(str):
    """Messages joined by a separator (``sep_ja`` in Japanese, if given), each localised on
    its own."""

    parts: tuple[Any, ...]
    sep: str
    sep_ja: str

    def __new__(cls, sep: str, parts: Any, sep_ja: str | None = None) -> Joined:
        items = tuple(parts)
        obj = super().__new__(cls, sep.join(str(p) for p in items))
        obj.parts, obj.sep, obj.sep_ja = items, sep, sep if sep_ja is None else sep_ja
        return obj

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (str, (str(self),))


def localise(text: Any, lang: str = "en") -> Any:
    """A value as a reader of ``lang`` sees it: messages in that language, named ids by their
    name; anything else unchanged (a plain English string stays English)."""
    if lang == "en" or not isinstance(text, str):
        return text
    if isinstance(text, Named):
        return text.ja or str(text)
    if isinstance(text, Joined):
        sep = text.sep_ja if lang == "ja" else text.sep
        return sep.join(str(localise(p, lang)) for p in text.parts)
    if isinstance(text, Message):
        return t(text.key, lang, **{k: localise(v, lang) for k, v in text.values.items()})
    return text


def said(exc: BaseException) -> str:
    """What an exception was raised with: its message as it was given (a :class:`Message`
    stays one, for a face to show in its reader's language), else its text."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)


def values_of(text: Any, key: str) -> list[Any]:
    """Every value filled in as ``key`` anywhere in a message and the messages inside it, in
    order (the ids a message names its places by, say, for a face that shows ids)."""
    found: list[Any] = []
    if isinstance(text, Joined):
        for part in text.parts:
            found += values_of(part, key)
    elif isinstance(text, Message):
        for name, value in text.values.items():
            found += [value] if name == key else values_of(value, key)
    return found
