"""A typed command registers only its own module; the table that says which module that is
matches what the modules register; help and unknown words still see every command."""

from __future__ import annotations

import os
import subprocess
import sys

from corridor.cli import COMMANDS, app


def test_the_command_table_names_the_module_of_every_registered_command() -> None:
    registered = {c.name: c.callback.__module__ for c in app.registered_commands}
    for group in app.registered_groups:
        first = group.typer_instance.registered_commands[0]
        registered[group.name] = first.callback.__module__
    assert {name: f"corridor.cli.{m}" for name, m in COMMANDS.items()} == registered


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "LANG": "C.UTF-8"}
    env.pop("LC_ALL", None)
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


_MAIN = (
    "import sys\n"
    "from corridor.cli import main\n"
    "sys.argv[0] = 'corridor'\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    loaded = sorted(m for m in sys.modules if m.startswith('corridor.cli.'))\n"
    "    print('LOADED', ' '.join(loaded), file=sys.stderr)\n"
)


def _loaded(res: subprocess.CompletedProcess[str]) -> set[str]:
    line = next(x for x in res.stderr.splitlines() if x.startswith("LOADED"))
    return set(line.split()[1:])


def test_compare_loads_only_the_routes_commands_and_answers() -> None:
    res = _run(
        _MAIN,
        "compare",
        "--commodity=rare_earth_concentrate",
        "--origin=KZ_ZHANA_KZ",
        "--destination=JP_KOBE",
        "--format=json",
    )
    assert res.returncode == 0, res.stderr
    assert '"routes"' in res.stdout
    loaded = _loaded(res)
    assert "corridor.cli.routes" in loaded
    assert not loaded & {"corridor.cli.risk", "corridor.cli.plan", "corridor.cli.sim"}


def test_help_and_unknown_words_see_every_command() -> None:
    res = _run(_MAIN, "--help")
    assert res.returncode == 0, res.stderr
    for name in COMMANDS:
        assert f" {name} " in res.stdout, name
    res = _run(_MAIN, "stres")
    assert res.returncode == 2
    assert "No such command 'stres'" in res.stderr
    assert {f"corridor.cli.{m}" for m in COMMANDS.values()} <= _loaded(res)
