"""The market's tables: observed corridor volumes by year and dated regimes.

Both are plain CSV files beside the network tables (``market_observations.csv``,
``market_regimes.csv``) and follow the same provenance rule: every figure names rows of
``sources.csv``. A problem is reported with file, line and column, all problems at once.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from corridor.errors import DataError, Problem
from corridor.i18n import Message
from corridor.network.model import Network
from corridor.network.schema import bundled_data_dir

OBSERVATIONS_FILE = "market_observations.csv"
REGIMES_FILE = "market_regimes.csv"
FAMILIES = ("china", "trans_caspian", "russia", "south")
SPLITS = ("calibration", "holdout")

_OBS_COLUMNS = (
    "market",
    "year",
    "family",
    "volume_t",
    "volume_t_low",
    "volume_t_high",
    "split",
    "sources",
)
_REGIME_COLUMNS = (
    "id",
    "name_en",
    "applies_to",
    "start",
    "end",
    "extra_days",
    "penalty_usd_per_t",
    "sanctions",
    "sources",
)


@dataclass(frozen=True)
class Observation:
    """Tonnes carried by one route family in one year, in one market."""

    market: str
    year: int
    family: str
    volume_t: float
    volume_t_low: float
    volume_t_high: float
    split: str
    sources: str
    note: str = ""


@dataclass(frozen=True)
class Regime:
    """A chronic condition in force between two dates (sanctions, a diversion, low water).

    ``applies_to`` holds route family ids or exposure ids (countries, chokepoints, sea
    areas); a route is affected if its family or any of its exposures is listed.
    """

    id: str
    name_en: str
    name_ja: str
    applies_to: tuple[str, ...]
    start: date
    end: date | None
    extra_days: float
    penalty_usd_per_t: float
    sanctions: float
    sources: str
    note: str = ""

    def share_of_year(self, year: int, as_of: date | None = None) -> float:
        """Fraction of ``year`` during which the regime is in force, known on ``as_of``.

        A regime that starts after ``as_of`` was not known then and counts as absent.
        """
        if as_of is not None and self.start > as_of:
            return 0.0
        first, last = date(year, 1, 1), date(year, 12, 31)
        lo = max(first, self.start)
        hi = min(last, self.end) if self.end else last
        if hi < lo:
            return 0.0
        return ((hi - lo).days + 1) / ((last - first).days + 1)


@dataclass(frozen=True)
class MarketData:
    """Observations and regimes as loaded, with the folder they came from."""

    observations: tuple[Observation, ...]
    regimes: tuple[Regime, ...]
    origin: str

    def markets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o.market for o in self.observations))


def load_market_data(
    directory: str | Path | None = None, network: Network | None = None
) -> MarketData:
    """Read and check the market tables of a data folder (default: the bundled tables).

    Parameters
    ----------
    directory : folder holding ``market_observations.csv`` and ``market_regimes.csv``.
    network : if given, every source id must be a row of its ``sources`` table.

    Raises
    ------
    DataError
        Listing every problem found (file, line, column, message).
    """
    folder = Path(directory) if directory is not None else bundled_data_dir()
    problems: list[Problem] = []
    obs_rows = _read(folder / OBSERVATIONS_FILE, _OBS_COLUMNS, problems)
    regime_rows = _read(folder / REGIMES_FILE, _REGIME_COLUMNS, problems)
    observations = [o for o in (_observation(r, problems) for r in obs_rows) if o]
    regimes = [g for g in (_regime(r, problems) for r in regime_rows) if g]
    if not observations and not problems:
        what = Message("mkt_prob_no_observations")
        problems.append(Problem(OBSERVATIONS_FILE, None, None, what))
    _check_unique(observations, problems)
    if network is not None:
        for row in obs_rows + regime_rows:
            for sid in _source_ids(row.raw["sources"]):
                if not network.has("sources", sid):
                    what = Message("mkt_prob_unknown_source", source=sid)
                    problems.append(Problem(row.file, row.line, "sources", what))
    if problems:
        raise DataError(problems)
    return MarketData(tuple(observations), tuple(regimes), str(folder))


@dataclass(frozen=True)
class _Row:
    file: str
    line: int
    raw: dict[str, str]


def _read(path: Path, required: tuple[str, ...], problems: list[Problem]) -> list[_Row]:
    if not path.is_file():
        what = Message("mkt_prob_file_not_found", folder=str(path.parent))
        problems.append(Problem(path.name, None, None, what))
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or ())]
        if missing:
            what = Message("mkt_prob_missing_columns", columns=", ".join(missing))
            problems.append(Problem(path.name, 1, None, what))
            return []
        return [
            _Row(path.name, i, {k: (v or "").strip() for k, v in row.items() if k})
            for i, row in enumerate(reader, start=2)
        ]


def _number(row: _Row, column: str, problems: list[Problem], blank: float | None = None) -> float:
    text = row.raw.get(column, "")
    if not text and blank is not None:
        return blank
    try:
        value = float(text)
    except ValueError:
        what = Message("mkt_prob_not_number", text=text)
        problems.append(Problem(row.file, row.line, column, what))
        return math.nan
    if not math.isfinite(value) or value < 0:
        what = Message("mkt_prob_not_finite", text=text)
        problems.append(Problem(row.file, row.line, column, what))
        return math.nan
    return value


def _observation(row: _Row, problems: list[Problem]) -> Observation | None:
    before = len(problems)
    raw = row.raw
    year = _number(row, "year", problems)
    if math.isfinite(year) and not (1900 <= year <= 2100 and year == int(year)):
        what = Message("mkt_prob_not_year", text=raw["year"])
        problems.append(Problem(row.file, row.line, "year", what))
    if raw["family"] not in FAMILIES:
        what = Message("mkt_prob_unknown_family", family=raw["family"])
        problems.append(Problem(row.file, row.line, "family", what))
    if raw["split"] not in SPLITS:
        what = Message("mkt_prob_split", text=raw["split"])
        problems.append(Problem(row.file, row.line, "split", what))
    if not raw["market"]:
        problems.append(Problem(row.file, row.line, "market", Message("mkt_prob_empty")))
    volume = _number(row, "volume_t", problems)
    low = _number(row, "volume_t_low", problems, blank=volume)
    high = _number(row, "volume_t_high", problems, blank=volume)
    if volume == 0:
        problems.append(Problem(row.file, row.line, "volume_t", Message("mkt_prob_volume_zero")))
    if all(map(math.isfinite, (volume, low, high))) and not low <= volume <= high:
        what = Message("mkt_prob_volume_range")
        problems.append(Problem(row.file, row.line, "volume_t", what))
    if not raw["sources"]:
        problems.append(Problem(row.file, row.line, "sources", Message("mkt_prob_no_source")))
    if len(problems) > before:
        return None
    return Observation(
        raw["market"],
        int(year),
        raw["family"],
        volume,
        low,
        high,
        raw["split"],
        raw["sources"],
        raw.get("note", ""),
    )


def _regime(row: _Row, problems: list[Problem]) -> Regime | None:
    before = len(problems)
    raw = row.raw
    start = _date(row, "start", problems)
    end = _date(row, "end", problems) if raw["end"] else None
    if start and end and end < start:
        problems.append(Problem(row.file, row.line, "end", Message("mkt_prob_end")))
    targets = tuple(t for t in raw["applies_to"].split("|") if t)
    if not targets:
        what = Message("mkt_prob_no_target")
        problems.append(Problem(row.file, row.line, "applies_to", what))
    days = _number(row, "extra_days", problems, blank=0.0)
    penalty = _number(row, "penalty_usd_per_t", problems, blank=0.0)
    sanctions = _number(row, "sanctions", problems, blank=0.0)
    if math.isfinite(sanctions) and sanctions > 1:
        problems.append(Problem(row.file, row.line, "sanctions", Message("mkt_prob_sanctions")))
    if not raw["sources"]:
        problems.append(Problem(row.file, row.line, "sources", Message("mkt_prob_no_source")))
    if len(problems) > before or start is None:
        return None
    return Regime(
        raw["id"],
        raw["name_en"],
        raw.get("name_ja", ""),
        targets,
        start,
        end,
        days,
        penalty,
        sanctions,
        raw["sources"],
        raw.get("note", ""),
    )


def _date(row: _Row, column: str, problems: list[Problem]) -> date | None:
    try:
        return date.fromisoformat(row.raw[column])
    except ValueError:
        what = Message("mkt_prob_not_date", text=row.raw[column])
        problems.append(Problem(row.file, row.line, column, what))
        return None


def _check_unique(observations: list[Observation], problems: list[Problem]) -> None:
    seen: set[tuple[str, int, str]] = set()
    for o in observations:
        key = (o.market, o.year, o.family)
        if key in seen:
            what = Message("mkt_prob_twice", market=o.market, year=o.year, family=o.family)
            problems.append(Problem(OBSERVATIONS_FILE, None, "family", what))
        seen.add(key)


def _source_ids(text: str) -> list[str]:
    """Source ids of a provenance cell: ``col|col=id+id;col=id`` or plain ``id+id``."""
    ids: list[str] = []
    for part in text.split(";"):
        value = part.split("=", 1)[-1]
        ids.extend(s for s in value.split("+") if s)
    return ids
