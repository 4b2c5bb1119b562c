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
