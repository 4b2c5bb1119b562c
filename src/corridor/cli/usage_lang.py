"""Usage errors in the user's language (``--lang``, else the locale): a bad option value, an
unknown or missing option, with typer's error panel words; and the language rule that help
(:mod:`corridor.cli.help_lang`) shares. Only imported when the command line or the locale
asks for a language other than English."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from typer import rich_utils

from corridor.i18n import LANGS, catalogue, lang_from_env, localise, t


def help_language(args: list[str]) -> str:
    """The language of the help: ``--lang X`` (or ``--lang=X``) anywhere on the command line
    when it names a known language, else the locale's (as :func:`lang_from_env`)."""
    for i, word in enumerate(args):
        value = None
        if word == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif word.startswith("--lang="):
            value = word.partition("=")[2]
        if value in LANGS:
            return value
    return lang_from_env()


def usage_message(exc: Any, lang: str) -> str:
    """A usage error (bad value, missing or unknown option) in ``lang``: what click says,
    with the reason our checks give (a message) in ``lang`` too."""
    from typer._click import exceptions as click_errors

    if isinstance(exc, click_errors.MissingParameter):
        name = exc.param.name if exc.param is not None else ""
        return t("usage_missing", lang, what=_hint(exc) or str(name))
    if isinstance(exc, click_errors.BadParameter):
        reason = localise(exc.message, lang)
        hint = _hint(exc)
        if hint:
            return t("usage_bad_value", lang, option=hint, reason=reason)
        return t("usage_bad_value_plain", lang, reason=reason)
    if isinstance(exc, click_errors.NoSuchOption):
        text = t("usage_no_such_option", lang, option=exc.option_name)
        if exc.possibilities:
            text += t("usage_did_you_mean", lang, options=", ".join(sorted(exc.possibilities)))
        return text
    return str(localise(exc.message, lang))


def _hint(exc: Any) -> str:
    """The option a usage error is about, as click names it ("'--k'")."""
    hint = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)
    if hint is None:
        return ""
    return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)


@contextmanager
def usage_words(lang: str) -> Iterator[None]:
    """Usage errors in ``lang`` while a command runs: typer's error panel title, its "try
    --help" line and the message; all restored after."""
    words = catalogue(lang)
    saved = {name: getattr(rich_utils, name) for name in _ERROR_WORDS}
    original = saved["rich_format_error"]

    def localised(exc: Any) -> None:
        exc.format_message = lambda: usage_message(exc, lang)
        original(exc)

    try:
        rich_utils.ERRORS_PANEL_TITLE = words["usage_error_title"]
        rich_utils.RICH_HELP = words["usage_try_help"]
        setattr(rich_utils, "rich_format_error", localised)  # noqa: B010  (a module's function)
        yield
    finally:
        for name, value in saved.items():
            setattr(rich_utils, name, value)


_ERROR_WORDS = ("ERRORS_PANEL_TITLE", "RICH_HELP", "rich_format_error")
