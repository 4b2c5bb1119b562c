"""CLI start-up: CPU time of ``corridor compare`` and ``corridor routes`` end to end.

Each command runs as a fresh subprocess (as a user types it) on the bundled data; its CPU
time is user + system of the child (``os.wait4``), so the load of a shared machine does not
count, as wall time would. Baselines measured in the same run, taking turns run by run:

- the interpreter starting and stopping (``python -c pass``), the floor of any command;
- ``python -c "import numpy"``, what one import of numpy alone costs.

The goal (issue #19): both commands at most 0.35 s CPU (median of the runs), with the
loaded bundled network in the user's cache (:mod:`corridor.network.cache`), as every run after
the first finds it. The first run after an install or after any change of the tables or the
code finds no cache: it loads and validates the tables and writes the cache; the rows
``(cold)`` measure that run (each in a new, empty cache folder). Both use a cache folder of
the benchmark's own, never the user's. Byte code is written and used (as an installed package
has it), even where ``PYTHONDONTWRITEBYTECODE`` is set. The ``-X importtime`` report of one
``compare`` run lists the imports that cost most.

Run: ``python benchmarks/bench_cli.py`` (``--runs N``).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

GOAL_S = 0.35
COMMANDS = {
    "compare": [
        "compare",
        "--commodity",
        "uranium_ore_concentrate",
        "--origin",
        "KZ_NORTH_KHARASAN",
        "--destination",
        "JP_YOKOHAMA",
        "--volume",
        "1000",
    ],
    "routes": [
        "routes",
        "--commodity",
        "rare_earth_concentrate",
        "--origin",
        "KZ_ZHANA_KZ",
        "--destination",
        "JP_YOKOHAMA",
        "--k",
        "10",
        "--avoid",
        "RU",
        "--penalise",
        "CN=40",
        "--format",
        "json",
    ],
}
BASELINES = {"interpreter": ["-c", "pass"], "import numpy": ["-c", "import numpy"]}


def cpu_s(args: list[str], env: dict[str, str] | None = None) -> float:
    """User + system CPU seconds of one run of ``python args`` (output discarded)."""
    proc = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({proc.returncode}):\n{err}")
    return usage.ru_utime + usage.ru_stime


def child_env(cache_dir: str) -> dict[str, str]:
    """The environment of a run: byte code on, the network cache in ``cache_dir``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env.pop("CORRIDOR_NO_CACHE", None)
    return {**env, "CORRIDOR_CACHE_DIR": cache_dir}


def import_report(env: dict[str, str], top: int = 12) -> list[tuple[float, float, str]]:
    """The imports of one ``compare`` run costing most: (cumulative ms, own ms, module)."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "corridor", *COMMANDS["compare"]],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    rows = []
    for line in run.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m[3]) <= 3:  # top-level and first-level imports only
            rows.append((int(m[2]) / 1000, int(m[1]) / 1000, m[4]))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        warm = child_env(os.path.join(tmp, "warm"))
        load0 = os.getloadavg()
        commands = {k: ["-m", "corridor", *v] for k, v in COMMANDS.items()}
        runs = {**commands, **{f"{k} (cold)": v for k, v in commands.items()}, **BASELINES}
        times: dict[str, list[float]] = {name: [] for name in runs}
        for argv in runs.values():
            cpu_s(argv, warm)  # warm the file cache, the byte code and the network cache once
        for i in range(args.runs):
            for name, argv in runs.items():
                cold = child_env(os.path.join(tmp, f"cold-{i}-{name}"))
                times[name].append(cpu_s(argv, cold if name.endswith("(cold)") else warm))
        load1 = os.getloadavg()
        report = import_report(warm)
    print(f"CPU time (user + system) per run, {args.runs} runs each, taking turns:")
    print(f"  {'':16s}{'best':>8s}{'median':>9s}   ratio to interpreter, to import numpy")
    base = {k: (min(times[k]), statistics.median(times[k])) for k in BASELINES}
    for name, t in times.items():
        best, median = min(t), statistics.median(t)
        ratios = ", ".join(
            f"{best / base[k][0]:.1f}x / {median / base[k][1]:.1f}x" for k in BASELINES
        )
        print(f"  {name:16s}{best:7.3f}s{median:8.3f}s   {ratios} (best / median)")
    print(f"load average 1/5/15 min: before {load0}, after {load1}")
    print("largest imports of one `corridor compare` (-X importtime, ms cumulative / own):")
    for cum, own, name in report:
        print(f"  {cum:8.1f} {own:7.1f}  {name}")
    medians = {name: statistics.median(times[name]) for name in COMMANDS}
    ok = all(m <= GOAL_S for m in medians.values())
    figures = ", ".join(f"{k} {v:.3f} s" for k, v in medians.items())
    print(f"goal (<= {GOAL_S} s CPU, median): {'met' if ok else 'NOT MET'} ({figures})")


if __name__ == "__main__":
    main()
