"""Contracts and diversification rules: load, validate, describe.

A contracts file (YAML or CSV, schema in ``docs/contracts.md``) lists annual volumes to
move — commodity, origin(s), destination(s), tonnes per year, period — with route clauses
(countries or chokepoints to avoid, minimum or maximum shares by route family or
exposure) and, in YAML, portfolio-level rules. Loading checks every entry against the
network and reports every problem at once, each with file, line and field, as the network
loader does; nothing is half-loaded.
"""

from __future__ import annotations

import csv
import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corridor import lined_yaml, validate
from corridor.contracts.model import (
    _CSV_FIELD,
    CONTRACT_FIELDS,
    CSV_COLUMNS,
    EACH,
    PORTFOLIO,
    RULE_FIELDS,
    TOP_FIELDS,
    Contract,
    ContractError,
    ContractProblem,
    Portfolio,
    Rule,
)
from corridor.errors import Problem
from corridor.i18n import Message
from corridor.lined_yaml import LinedMap
from corridor.network.model import ID_PATTERN, Network
from corridor.network.schema import FAMILIES


@dataclass
class _Where:
    """Where an entry was read from, for problem messages."""

    file: str
    line: int | None
    lines: Mapping[str, int] = field(default_factory=dict)
    word: str = "line"
    columns: Mapping[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    prefix: str = ""
    """Put before every field: the entry's path in a request body (``contracts.0.``)."""

    def add(self, fld: str | None, message: str, line: int | None = None) -> None:
        top = (fld or "").split(".")[0]
        # 'origins' may have been written 'origin' (either key is accepted)
        line = line or self.lines.get(top, self.lines.get(top.removesuffix("s"), self.line))
        self.problems.append(
            ContractProblem(self.file, line, self._column(fld), message, self.word)
        )

    def _column(self, fld: str | None) -> str | None:
        """The CSV column holding a field (YAML fields are named by their path)."""
        if fld is None:
            return None
        if not self.columns:
            return self.prefix + fld
        if fld.startswith("families.") and fld.endswith("max_share") and not self.prefix:
            return "family_max_share"
        return self.prefix + self.columns.get(fld.split(".")[0], fld)


# --------------------------------------------------------------------------- loading


def load_contracts(path: str | Path, network: Network) -> Portfolio:
    """Read and validate a contracts file (``.yaml``/``.yml`` or ``.csv``).

    Parameters
    ----------
    path : str or Path
        The file. Its schema is in ``docs/contracts.md``.
    network : Network, optional
        Network the ids are checked against (default: the bundled network).

    Returns
    -------
    Portfolio
        Contracts and portfolio rules.

    Raises
    ------
    ContractError
        Every problem found, each with file, line (YAML) or row (CSV) and field.
    """

    net = network
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(str(file), None, None, Message("prob_cannot_read", reason=str(exc)))
        raise ContractError([problem], Message("prob_in_file", file=str(file))) from None
    reader = {".csv": _from_csv, ".yaml": _from_yaml, ".yml": _from_yaml}.get(file.suffix.lower())
    if reader is None:
        problem = Problem(str(file), None, None, Message("prob_give_yaml_csv"))
        raise ContractError([problem], Message("prob_in_file", file=str(file)))
    portfolio, problems = reader(text, str(file), net)
    if problems:
        in_file_order = sorted(problems, key=lambda p: p.row or 0)
        raise ContractError(in_file_order, Message("prob_in_contracts_file", file=str(file)))
    return portfolio


def check_portfolio(portfolio: Portfolio, net: Network) -> None:
    """Validate contracts and rules built in Python; raise ContractError listing problems."""
    where = _Where("(contracts given in Python)", None)
    ids = [c.id for c in portfolio.contracts]
    for c in portfolio.contracts:
        _check_contract(c, net, where)
        if not c.volume_t_per_year > 0:
            label = Message("prob_c_contract_id", id=c.id)
            where.add("volume_t_per_year", Message("prob_c_volume_positive", label=label))
    _check_rules(portfolio.rules, ids, net, where)
    _duplicate_ids([(i, None) for i in ids], where)
    if where.problems:
        raise ContractError(where.problems, Message("prob_in_contracts"))


_BODY_CONTRACT = {"origin": "origins", "destination": "destinations"}
_BODY_RULE = {"exposure": "target", "exposures": "target", "family": "target", "families": "target"}


def build_portfolio(
    contracts: Sequence[Mapping[str, Any]],
    rules: Sequence[Mapping[str, Any]],
    net: Network,
    *,
    name: str = "",
    source: str = "the request",
) -> Portfolio:
    """Build and check a portfolio from entries already parsed (the API's body) with the
    builder the files use.

    Parameters
    ----------
    contracts : sequence of mapping
        Contract entries with the fields of a YAML contract (``docs/contracts.md``).
    rules : sequence of mapping
        Portfolio rules as in YAML: ``{"exposure": "CN", "max_share": 0.5, "scope": ...}``.
    net : Network
        Network the ids are checked against.
    name : str
        The portfolio's name.
    source : str
        What the entries came from, for messages.

    Raises
    ------
    ContractError
        Every problem found, each naming its field as a path in the body
        (``contracts.0.origins``, ``rules.1.target``).
    """
    problems: list[Problem] = []
    found = []
    for i, entry in enumerate(contracts):
        at = _Where(
            source, None, columns=_BODY_CONTRACT, problems=problems, prefix=f"contracts.{i}."
        )
        contract = _contract(entry, at, net)
        if contract is not None:
            found.append(contract)
    ids = [str(e.get("id") or "") for e in contracts]
    kept = []
    for i, entry in enumerate(rules):
        at = _Where(source, None, columns=_BODY_RULE, problems=problems, prefix=f"rules.{i}.")
        rule = _rule(entry, i + 1, at, net, ids)
        if rule is not None:
            kept.append(rule)
    for i, cid in enumerate(ids):
        if cid and cid in ids[:i]:
            at = _Where(source, None, problems=problems, prefix=f"contracts.{i}.")
            at.add("id", Message("prob_c_id_twice", id=cid))
    if problems:
        raise ContractError(problems, source)
    return Portfolio(tuple(found), tuple(kept), name)


def _from_yaml(text: str, file: str, net: Network) -> tuple[Portfolio, list[Problem]]:
    empty = Portfolio((), file=file)
    try:
        doc = lined_yaml.load(text)
    except yaml.YAMLError as exc:
        line, message = lined_yaml.where_wrong(exc)
        return empty, [ContractProblem(file, line, None, message)]
    if not isinstance(doc, LinedMap):
        msg = Message("prob_c_not_mapping")
        return empty, [ContractProblem(file, None, None, msg)]
    top = _Where(file, doc.line, doc.lines)
    _unknown_keys(doc, TOP_FIELDS, top)
    entries = doc.get("contracts")
    if not isinstance(entries, list) or not entries:
        top.add("contracts", Message("prob_c_no_contracts"))
        entries = []
    seen = [
        (str(e["id"]), e.lines["id"]) for e in entries if isinstance(e, LinedMap) and e.get("id")
    ]
    ids = [i for i, _ in seen]
    contracts = [_yaml_contract(e, i, file, net, top) for i, e in enumerate(entries, 1)]
    rules = [
        _yaml_rule(e, i, file, net, ids, top) for i, e in enumerate(_list(doc, "rules", top), 1)
    ]
    found = [c for c in contracts if c is not None]
    _duplicate_ids(seen, top)
    portfolio = Portfolio(
        tuple(found), tuple(r for r in rules if r is not None), str(doc.get("name") or ""), file
    )
    return portfolio, top.problems


def _list(doc: Mapping[str, Any], key: str, where: _Where) -> list[Any]:
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        where.add(key, Message("prob_must_list"))
        return []
    return value


def _unknown_keys(entry: LinedMap, allowed: Iterable[str], where: _Where) -> None:
    allowed = list(allowed)
    stems = {name.split("_")[0]: name for name in allowed}
    for key in entry:
        if key not in allowed:
            near = difflib.get_close_matches(key, [*allowed, *stems], n=1)
            hint = Message("prob_did_you_mean", name=stems.get(near[0], near[0])) if near else ""
            what = Message("prob_unknown_field", name=key, hint=hint, allowed=", ".join(allowed))
            where.add(key, what)
    for key in entry.duplicates:
        where.add(key, Message("prob_field_twice", name=key))


def _yaml_contract(entry: Any, index: int, file: str, net: Network, top: _Where) -> Contract | None:
    if not isinstance(entry, LinedMap):
        top.add("contracts", Message("prob_c_entry_not_mapping", index=index))
        return None
    where = _Where(file, entry.line, entry.lines, problems=top.problems)
    _unknown_keys(entry, CONTRACT_FIELDS, where)
    return _contract(entry, where, net)


def _yaml_rule(
    entry: Any, index: int, file: str, net: Network, ids: Sequence[str], top: _Where
) -> Rule | None:
    if not isinstance(entry, LinedMap):
        top.add("rules", Message("prob_c_rule_not_mapping", index=index))
        return None
    where = _Where(file, entry.line, entry.lines, problems=top.problems)
    _unknown_keys(entry, RULE_FIELDS, where)
    return _rule(entry, index, where, net, ids)


def _rule(
    entry: Mapping[str, Any], index: int, where: _Where, net: Network, ids: Sequence[str]
) -> Rule | None:
    """Build one portfolio rule from its fields (a problem for each bad field)."""
    has = [k for k in ("exposure", "family") if entry.get(k)]
    if len(has) != 1:
        where.add(None, Message("prob_c_rule_one_of", index=index))
        return None
    scope = EACH if entry.get("scope") is None else str(entry["scope"]).strip()
    if not scope:
        where.add("scope", Message("prob_c_rule_scope_empty", index=index))
        return None
    bounds = _bounds(entry, where, Message("prob_c_rule", index=index))
    if bounds is None:
        return None
    rule = Rule(str(entry[has[0]]), has[0], bounds[1], bounds[0], scope)
    _check_rules([rule], ids, net, where)
    return rule


def _from_csv(text: str, file: str, net: Network) -> tuple[Portfolio, list[Problem]]:
    where = _Where(file, None, word="row")
    reader = csv.DictReader(text.splitlines(), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        where.add(None, Message("prob_malformed_csv", reason=str(exc)))
        return Portfolio((), file=file), where.problems
    header = reader.fieldnames or []
    for col in header:
        if col not in CSV_COLUMNS:
            where.add(col, Message("prob_unknown_column", allowed=", ".join(CSV_COLUMNS)))
    contracts = []
    for i, row in enumerate(rows, 2):
        row_where = _Where(file, i, word="row", columns=_CSV_FIELD, problems=where.problems)
        c = _contract(_csv_entry(row, row_where), row_where, net)
        if c is not None:
            contracts.append(c)
    _duplicate_ids([(row.get("id") or "", i) for i, row in enumerate(rows, 2)], where)
    return Portfolio(tuple(contracts), file=file), where.problems


def _csv_entry(row: Mapping[str, str | None], where: _Where) -> dict[str, Any]:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    def split(name: str) -> list[str]:
        return [p.strip() for p in cell(name).split("|") if p.strip()]

    keys = ("id", "commodity", "period", "service", "source", "note")
    entry: dict[str, Any] = {k: cell(k) for k in keys}
    entry |= {"origins": split("origins"), "destinations": split("destinations")}
    entry["volume_t_per_year"] = _csv_number(cell("volume_t_per_year"))
    if cell("stock_days"):
        entry["stock_days"] = _csv_number(cell("stock_days"))
    entry["avoid"] = split("avoid")
    if cell("illustrative"):
        try:
            entry["illustrative"] = validate.boolean(cell("illustrative"), "")
        except validate.InvalidValue as exc:
            where.add("illustrative", exc.reason)
    families: dict[str, dict[str, Any]] = {}
    for column, bound in (("family_min_share", "min_share"), ("family_max_share", "max_share")):
        for fam, value in _pairs(split(column), column, where):
            families.setdefault(fam, {})[bound] = value
    entry["families"] = families
    exposures = _pairs(split("exposure_max_share"), "exposure_max_share", where)
    entry["exposures"] = {e: {"max_share": v} for e, v in exposures}
    return {k: v for k, v in entry.items() if v not in ("", [], {})}


def _csv_number(cell: str) -> float | str:
    """A number in a cell (ASCII digits only), else the text for the checks to name."""
    try:
        return validate.number(cell, "")
    except validate.InvalidValue:
        return cell


def _pairs(items: list[str], column: str, where: _Where) -> list[tuple[str, float | str]]:
    out: list[tuple[str, float | str]] = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            where.add(column, Message("prob_c_not_pair", item=item))
            continue
        out.append((key.strip(), _csv_number(value.strip())))
    return out


# --------------------------------------------------------------------------- fields


def _contract(entry: Mapping[str, Any], where: _Where, net: Network) -> Contract | None:
    """Build one contract from its fields, adding a problem for each bad field."""
    n = len(where.problems)
    cid = _text(entry, "id", where, required=True)
    label = Message("prob_c_contract_id", id=cid) if cid else Message("prob_c_contract")
    commodity = _text(entry, "commodity", where, required=True)
    origins = _places(entry, "origin", where, label)
    destinations = _places(entry, "destination", where, label)
    volume = _volume(entry.get("volume_t_per_year"), where, label)
    avoid = _strings(entry.get("avoid"), "avoid", where)
    clauses = _clauses(entry, where, label, cid)
    flag = entry.get("illustrative", False)
    if not isinstance(flag, bool):
        where.add("illustrative", Message("prob_c_bool", label=label))
    service = str(entry.get("service") or "")
    if service not in ("", "block", "wagonload"):
        where.add("service", Message("prob_c_service", label=label, service=service))
    stock = _stock_days(entry.get("stock_days"), where, label)
    contract = Contract(
        cid,
        commodity,
        origins,
        destinations,
        volume or math.nan,
        str(entry.get("period") or ""),
        tuple(avoid),
        tuple(clauses),
        bool(flag),
        str(entry.get("source") or ""),
        str(entry.get("note") or ""),
        service,
        stock,
    )
    if commodity:
        _check_contract(contract, net, where)
    return contract if len(where.problems) == n else None


MAX_STOCK_DAYS = 3650.0


def _stock_days(value: Any, where: _Where, label: Message) -> float | None:
    """The contract's safety stock in days: absent, or a finite number within 0–3650."""
    if value is None or value == "":
        return None
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not 0 <= float(value) <= MAX_STOCK_DAYS:
        most = f"{MAX_STOCK_DAYS:g}"
        where.add("stock_days", Message("prob_c_stock_days", label=label, max=most, value=value))
        return None
    return float(value)


def _text(entry: Mapping[str, Any], key: str, where: _Where, required: bool = False) -> str:
    value = entry.get(key)
    if value is None or value == "":
        if required:
            where.add(key, Message("prob_required", name=key))
        return ""
    text = str(value).strip()
    if key in ("id", "commodity") and not ID_PATTERN.match(text):
        where.add(key, Message("prob_not_valid_id", id=text))
    return text


def _places(entry: Mapping[str, Any], key: str, where: _Where, label: Message) -> tuple[str, ...]:
    one, many = entry.get(key), entry.get(key + "s")
    if one is not None and many is not None:
        where.add(key + "s", Message("prob_c_not_both", label=label, name=key))
        return ()
    values = _strings(many if many is not None else one, key + "s", where)
    if not values:
        where.add(key, Message("prob_c_place_required", label=label, name=key))
    return tuple(dict.fromkeys(values))


def _strings(value: Any, key: str, where: _Where) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.replace("|", ",").split(",") if p.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value]
    where.add(key, Message("prob_must_list_ids"))
    return []


def _volume(value: Any, where: _Where, label: Message) -> float | None:
    if value is None:
        where.add("volume_t_per_year", Message("prob_c_volume_required", label=label))
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        what = Message("prob_c_volume_not_number", label=label, value=value)
        where.add("volume_t_per_year", what)
        return None
    if value <= 0:
        what = Message("prob_c_volume_not_positive", label=label, value=f"{value:g}")
        where.add("volume_t_per_year", what)
        return None
    return float(value)


def _clauses(entry: Mapping[str, Any], where: _Where, label: Message, cid: str) -> list[Rule]:
    out = []
    for key, on in (("families", "family"), ("exposures", "exposure")):
        value = entry.get(key)
        if value is None:
            continue
        if not isinstance(value, Mapping):
            each = Message(f"prob_on_{on}")
            where.add(key, Message("prob_c_clause_map", label=label, name=key, on=each))
            continue
        for target, spec in value.items():
            what = Message("prob_c_clause", label=label, on=Message(f"prob_on_{on}"), target=target)
            if not isinstance(spec, Mapping):
                where.add(f"{key}.{target}", Message("prob_c_clause_give", what=what))
                continue
            for k in spec:
                if k not in ("min_share", "max_share"):
                    bad = Message("prob_c_clause_key", what=what, name=k)
                    where.add(f"{key}.{target}.{k}", bad)
            bounds = _bounds(spec, where, what, f"{key}.{target}.")
            if bounds is not None:
                out.append(Rule(str(target), on, bounds[1], bounds[0], cid))
    return out


def _bounds(
    spec: Mapping[str, Any], where: _Where, what: Message, prefix: str = ""
) -> tuple[float | None, float | None] | None:
    """(min_share, max_share) of a rule; None (and a problem) when invalid."""
    shares: list[float | None] = []
    ok = True
    for key in ("min_share", "max_share"):
        value = spec.get(key)
        if value is None:
            shares.append(None)
            continue
        share = _share(value)
        if isinstance(share, str):
            where.add(prefix + key, Message("prob_c_share_bad", what=what, name=key, reason=share))
            ok = False
        shares.append(share if not isinstance(share, str) else None)
    lo, hi = shares
    if ok and lo is None and hi is None:
        where.add(prefix + "max_share", Message("prob_c_give_share", what=what))
        ok = False
    if ok and lo is not None and hi is not None and lo > hi:
        above = Message("prob_c_min_above_max", what=what, min=f"{lo:g}", max=f"{hi:g}")
        where.add(prefix + "min_share", above)
        ok = False
    return (lo, hi) if ok else None


def _share(value: Any) -> float | str:
    """A share in [0, 1], or the reason it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return Message("prob_c_share_not_number", value=value)
    if 1 < value <= 100:
        return Message("prob_c_share_percent", value=f"{value:g}")
    if not 0 <= value <= 1:
        return Message("prob_c_share_range", value=f"{value:g}")
    return float(value)


# --------------------------------------------------------------------------- network checks


def _known(net: Network, table: str, value: str) -> Message | None:
    """None if ``value`` is an id of ``table``; else a message with close matches."""
    if net.has(table, value):
        return None
    near = difflib.get_close_matches(value, [r.id for r in getattr(net, table)], n=3)
    unknown = Message("prob_unknown", what=Message(f"netshow_record_{table}"), value=value)
    return Message("netshow_did_you_mean", text=unknown, ids=", ".join(near)) if near else unknown


def _check_contract(c: Contract, net: Network, where: _Where) -> None:
    label = Message("prob_c_contract_id", id=c.id)
    msg = _known(net, "commodities", c.commodity)
    if msg:
        where.add("commodity", Message("prob_c_labelled", label=label, what=msg))
    for key, places in (("origins", c.origins), ("destinations", c.destinations)):
        for place in places:
            msg = _known(net, "nodes", place)
            if msg:
                where.add(key, Message("prob_c_labelled", label=label, what=msg))
    both = sorted(set(c.origins) & set(c.destinations))
    if both:
        ends = Message("prob_c_both_ends", label=label, nodes=", ".join(both))
        where.add("destinations", ends)
    for e in c.avoid:
        msg = _known(net, "exposures", e)
        if msg:
            where.add("avoid", Message("prob_c_labelled", label=label, what=msg))
    _check_rules(c.clauses, [c.id], net, where, label)


def _check_rules(
    rules: Iterable[Rule], ids: Sequence[str], net: Network, where: _Where, label: str = ""
) -> None:
    def add(key: str, what: Message) -> None:
        where.add(key, Message("prob_c_label_comma", label=label, what=what) if label else what)

    for r in rules:
        key = "families" if r.on == "family" else "exposures"
        if r.on == "family" and r.target not in FAMILIES:
            add(key, Message("prob_c_unknown_family", family=r.target, allowed=", ".join(FAMILIES)))
        elif r.on == "exposure":
            msg = _known(net, "exposures", r.target)
            if msg:
                add(key, msg)
        if r.scope not in (EACH, PORTFOLIO, *ids):
            add("scope", Message("prob_c_scope", scope=r.scope))
        for share in (r.min_share, r.max_share):
            if share is not None and not 0 <= share <= 1:
                add(key, Message("prob_c_share_between", share=f"{share:g}"))


def _duplicate_ids(ids: Sequence[tuple[str, int | None]], where: _Where) -> None:
    """A problem at every repeat of a contract id (the first use is fine)."""
    first: set[str] = set()
    for cid, line in ids:
        if cid in first:
            where.add("id", Message("prob_c_id_twice", id=cid), line)
        first.add(cid)
