"""``--help`` in the user's language: the catalogue's ``help_*`` texts put on the click tree.

Only imported when help is about to be shown (the root group's ``main`` sees ``--help`` or a
group without a command), so other commands load none of it. The keys follow the tree:
``help_cmd_<command path>`` for a command's summary (``help_cmd_corridor`` for the root),
``help_opt_<command path>__<parameter>`` for a parameter whose help is the command's own and
``help_opt_<parameter>`` for the help most commands share; a path joins its words with ``_``
and reads ``-`` as ``_``. English help is the declared one, untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.text import Text
from typer import Context, rich_utils

from corridor.i18n import catalogue

_RICH_WORDS = {  # typer's fixed words of the help panels, by catalogue key
    "ARGUMENTS_PANEL_TITLE": "help_ui_arguments",
    "OPTIONS_PANEL_TITLE": "help_ui_options",
    "COMMANDS_PANEL_TITLE": "help_ui_commands",
    "DEFAULT_STRING": "help_ui_default",
    "REQUIRED_LONG_STRING": "help_ui_required",
}


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the tree under ``command`` with its path of names, root first."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


def command_key(path: tuple[str, ...]) -> str:
    """The catalogue key of a command's help."""
    return "help_cmd_" + ("_".join(path).replace("-", "_") or "corridor")


def param_key(path: tuple[str, ...], name: str, words: dict[str, str]) -> str | None:
    """The catalogue key of a parameter's help: the command's own if there is one, else the
    shared one; ``None`` when the catalogue has neither."""
    own = f"help_opt_{'_'.join(path).replace('-', '_')}__{name}"
    for key in (own, f"help_opt_{name}"):
        if key in words:
            return key
    return None


def localise_tree(root: Any, lang: str) -> None:
    """Put the help texts of ``lang`` on every command, parameter and ``--help`` option of
    the tree (a tree built for this one invocation: typer builds a new one per call)."""
    words = catalogue(lang)
    for path, command in walk(root):
        command.help = words.get(command_key(path), command.help)
        for param in command.params:
            key = param_key(path, param.name or "", words)
            if key is not None:
                param.help = words[key]
        help_option = command.get_help_option(Context(command))
        if help_option is not None:
            help_option.help = words["help_ui_help"]


def _folded(make: Callable[..., Any]) -> Callable[..., Any]:
    """typer's maker of help text, folding a run longer than its column instead of cutting
    it with "…" (Japanese has no spaces to wrap at)."""

    def make_folded(**kwargs: Any) -> Any:
        text = make(**kwargs)
        if isinstance(text, Text):
            text.overflow = "fold"
        return text

    return make_folded


@contextmanager
def rich_words(lang: str) -> Iterator[None]:
    """typer's panel titles and ``[default: …]``/``[required]`` in ``lang`` while help is
    rendered, and its help texts folded rather than cut; all restored after (tests render
    English help in the same process)."""
    words = catalogue(lang)
    saved = {name: getattr(rich_utils, name) for name in (*_RICH_WORDS, "_make_rich_text")}
    try:
        for name, key in _RICH_WORDS.items():
            setattr(rich_utils, name, words[key])
        rich_utils._make_rich_text = _folded(saved["_make_rich_text"])
        yield
    finally:
        for name, value in saved.items():
            setattr(rich_utils, name, value)
