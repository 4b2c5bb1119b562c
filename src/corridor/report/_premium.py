"""The price of avoiding China or Russia in the HTML route report: a sentence per avoid rule
and the premium table, each with the change in the comparison measures
(docs/risk.md#comparison-measures) against the cheapest route."""

from __future__ import annotations

from collections.abc import Sequence

from corridor.analysis.results import Alternative
from corridor.i18n import localise, t
from corridor.network.model import Network
from corridor.report._format import _days, _e, _num, _rule, _signed, _usd_big, _usd_t
from corridor.risk.measures import ComparedMeasures, Measures, compare_measures
from corridor.routing.route import Route


def _avoided(alt: Alternative) -> str:
    """What the rule avoids, in words: 'China', 'China and Russia'."""
    return alt.name[len("avoid ") :] if alt.name.startswith("avoid ") else alt.name


def _risk_change(alt: Alternative, cheapest: Route, net: Network, routes: Sequence[Route],
                 measures: ComparedMeasures | None) -> Measures | None:  # fmt: skip
    """The alternative's comparison measures less the cheapest route's (None: no route)."""
    if alt.route is None:
        return None
    m = measures if measures is not None else compare_measures(net, routes)
    at = {r.signature: i for i, r in enumerate(routes)}
    if alt.route.signature not in at or cheapest.signature not in at:
        return None
    a, b = m.routes[at[alt.route.signature]], m.routes[at[cheapest.signature]]
    return Measures(
        a.p_long_interruption - b.p_long_interruption,
        a.tonne_days_per_t - b.tonne_days_per_t,
        a.stockout_days - b.stockout_days,
        (),
    )


def _risk_change_text(change: Measures | None, lang: str) -> str:
    if change is None:
        return ""
    return t(
        "rep_prem_risk",
        lang,
        dp=_signed(change.p_long_interruption * 100, 1),
        dt=_signed(change.tonne_days_per_t, 2),
        ds=_signed(change.stockout_days, 2),
    )


def _premium_sentence_in(
    alt: Alternative, cheapest: Route, volume: float | None, lang: str, change: Measures | None
) -> str:
    """The premium sentence in a language of the catalogue (escaped)."""
    what = _rule(alt.name, lang).removesuffix("回避")
    if alt.route is None or alt.premium_usd_per_t is None:
        return _e(t("rep_prem_impossible", lang, what=what, reason=localise(alt.reason, lang)))
    if alt.route.signature == cheapest.signature:
        return _e(t("rep_prem_free", lang, what=what, route=cheapest.label_in(lang)))
    premium = alt.premium_usd_per_t
    if round(premium, 2) == 0:
        cost = t("rep_prem_same_cost", lang)
    else:
        key = "rep_prem_more" if premium > 0 else "rep_prem_less"
        cost = t(key, lang, usd=_usd_t(abs(premium)))
    if alt.premium_usd_per_year is not None and volume:
        usd = _usd_big(abs(alt.premium_usd_per_year))
        cost += t("rep_prem_per_year", lang, usd=usd, volume=_num(volume, 0))
    extra = alt.extra_days or 0.0
    if round(extra, 1) == 0:
        time = t("rep_prem_same_time", lang)
    else:
        key = "rep_prem_adds" if extra > 0 else "rep_prem_saves"
        time = t(key, lang, days=_days(abs(extra), lang))
    text = t(
        "rep_prem_costs", lang, what=what, cost=cost, time=time, route=alt.route.label_in(lang)
    )
    text += _risk_change_text(change, lang)
    return _e(text)


def _premium_sentence(
    alt: Alternative,
    cheapest: Route,
    volume: float | None,
    lang: str = "en",
    change: Measures | None = None,
) -> str:
    if lang != "en":
        return _premium_sentence_in(alt, cheapest, volume, lang, change)
    what = _avoided(alt)
    if alt.route is None or alt.premium_usd_per_t is None:
        return f"Avoiding {_e(what)} is not possible: {_e(alt.reason)}."
    if alt.route.signature == cheapest.signature:
        return (
            f"Avoiding {_e(what)} costs nothing extra: the cheapest route "
            f"({_e(cheapest.label)}) already avoids it."
        )
    premium = alt.premium_usd_per_t
    if round(premium, 2) == 0:
        cost = "costs no more"
    else:
        cost = f"costs {_usd_t(abs(premium))} {'more' if premium > 0 else 'less'}"
    if alt.premium_usd_per_year is not None and volume:
        cost += f" ({_usd_big(abs(alt.premium_usd_per_year))}/yr at {_num(volume, 0)} t/yr)"
    extra = alt.extra_days or 0.0
    if round(extra, 1) == 0:
        time = "takes about as long"
    else:
        time = f"{'adds' if extra > 0 else 'saves'} {_days(abs(extra))}"
    text = f"Avoiding {_e(what)} {cost} and {time}, by {_e(alt.route.label)}."
    return text + _e(_risk_change_text(change, "en"))


def _premium_table(
    alts: Sequence[Alternative],
    volume: float | None,
    lang: str = "en",
    changes: Sequence[Measures | None] = (),
) -> str:
    keys = ["rule", "rule_route", "premium_t", *(["premium_yr"] if volume else [])]
    keys += ["extra_days", "extra_p95", "d_p_long", "d_tonne_days", "d_stockout"]
    head = (
        "<tr>"
        + "".join(
            f"<th{'' if k in ('rule', 'rule_route') else ' class=' + chr(34) + 'n' + chr(34)}>"
            f"{_e(t('rep_th_' + k, lang))}</th>"
            for k in keys
        )
        + "</tr>"
    )
    cols = 8 if volume else 7
    rows = []
    for i, alt in enumerate(alts):
        change = changes[i] if i < len(changes) else None
        if alt.route is None:
            rows.append(
                f'<tr><td>{_e(_rule(alt.name, lang))}</td><td colspan="{cols}">'
                + _e(t("rep_no_route_because", lang, reason=localise(alt.reason, lang)))
                + "</td></tr>"
            )
            continue
        per_year = (
            f'<td class="n">{_num(alt.premium_usd_per_year or 0.0, 0)}</td>' if volume else ""
        )
        rows.append(
            f"<tr><td>{_e(_rule(alt.name, lang))}</td>"
            f'<td class="label">{_e(alt.route.label_in(lang))}</td>'
            f'<td class="n">{_signed(alt.premium_usd_per_t or 0.0, 2)}</td>{per_year}'
            f'<td class="n">{_signed(alt.extra_days or 0.0, 1)}</td>'
            f'<td class="n">{_signed(alt.extra_days_p95 or 0.0, 1)}</td>'
            + (
                f'<td class="n">{_signed(change.p_long_interruption * 100, 1)}</td>'
                f'<td class="n">{_signed(change.tonne_days_per_t, 2)}</td>'
                f'<td class="n">{_signed(change.stockout_days, 2)}</td></tr>'
                if change is not None
                else '<td class="n">—</td><td class="n">—</td><td class="n">—</td></tr>'
            )
        )
    return (
        f'<div class="wrap"><table class="premium"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


# --------------------------------------------------------------------------- sections
