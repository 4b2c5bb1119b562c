"""Command line for the market model: ``market``, ``breakeven`` and ``backtest``.

Importing this module registers the commands on :data:`corridor.cli.app`. Each parses,
prices the routes with :func:`corridor.compare`, calls :mod:`corridor.market` and renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli._app import (
    DataOpt,
    OverlayOpt,
    _json,
    _rows_table,
    _undated_net,
    app,
    cannot_write_report,
    out,
    report_written,
)
from corridor.cli.brief import LangOpt, language
from corridor.errors import RequestError
from corridor.i18n import Message, localise, t

if TYPE_CHECKING:
    from corridor.market import BreakEven
    from corridor.network.model import Network

FormatOpt = Annotated[str, typer.Option("--format", help="table or json")]
MarketOpt = Annotated[
    str | None, typer.Option("--market", help="Market of the observations table (default: first).")
]
DecisionOpt = Annotated[
    float,
    typer.Option("--decision-t", help="Tonnes per independent route decision (sets the errors)."),
]


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "json"):
        raise RequestError(Message("mkt_err_format", fmt=fmt))


def _table(title: str, columns: list[str], rows: list[list[str]], left: int = 1) -> None:
    _rows_table(title, columns, rows, range(left, len(columns)))


def _pct(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{100 * x:.{digits}f} %"


def _n(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


@app.command("market")
def market_cmd(
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    market: MarketOpt = None,
    decision_t: DecisionOpt = 1000.0,
    fmt: FormatOpt = "table",
    lang: LangOpt = None,
) -> None:
    """Estimate the route-choice model on the observed corridor volumes (calibration years)
    and show its fit on the hold-out years."""
    from corridor.analysis.market import calibrated, market_dir

    lang_ = language(lang)
    _check_format(fmt)
    run = calibrated(
        _undated_net(data, overlay), market_dir(data), market=market, decision_t=decision_t
    )
    cal = run.calibration
    if fmt == "json":
        _json(cal.to_dict())
        return
    m = cal.model
    rows = [[k, _n(v, 4), _n(m.se.get(k), 4)] for k, v in m.params().items()]
    _table(
        t("mkt_cli_title", lang_, market=cal.market),
        [t(f"mkt_th_{k}", lang_) for k in ("parameter", "estimate", "se")],
        rows,
    )
    fit = {"usd": f"{m.sanctions_usd_per_t:,.0f}", "loglike": _n(m.loglike)}
    fit |= {"null": _n(m.loglike_null), "rho": _n(m.rho_squared, 3), "years": str(m.n_groups)}
    out.print(t("mkt_cli_fit", lang_, **fit, decision=f"{cal.decision_t:,.0f}"))
    target = "trans_caspian"
    yrows = [
        [
            str(y.year),
            t(f"mkt_split_{y.split}", lang_),
            _pct(y.observed_share[target]) if y.observed_share else "—",
            _pct(y.predicted_share[target]),
            _n(None if y.abs_share_error is None else 100 * y.abs_share_error),
        ]
        for y in cal.years
    ]
    heads = ["mkt_th_year", "mkt_th_split"] + [
        f"mkt_cli_th_{k}" for k in ("observed", "predicted", "error")
    ]
    _table(t("mkt_cli_years_title", lang_), [t(k, lang_) for k in heads], yrows, left=2)
    for split in ("calibration", "holdout"):
        e = cal.errors(split)
        pts, mape = _n(e["share_error_pts"]), _n(e["volume_mape_pct"], 1)
        label = t(f"mkt_split_{split}", lang_)
        out.print(
            t("mkt_cli_errors", lang_, split=label, pts=pts, mape=mape, years=e["years"] or 0)
        )


@app.command("breakeven")
def breakeven_cmd(
    commodity: Annotated[str, typer.Option("--commodity", help="Commodity id.")],
    origin: Annotated[str, typer.Option("--origin", help="Origin node id.")],
    destination: Annotated[str, typer.Option("--destination", help="Destination node id.")],
    share: Annotated[float, typer.Option("--share", help="Trans-Caspian share to reach.")] = 0.5,
    volume: Annotated[
        float | None, typer.Option("--volume", help="Annual tonnes, for the yearly bill.")
    ] = None,
    year: Annotated[int, typer.Option("--year", help="Year whose regimes apply.")] = 2025,
    shortfall: Annotated[
        float, typer.Option("--shortfall", help="Cost of a stranded tonne, share of its value.")
    ] = 0.3,
    kappa: Annotated[
        float, typer.Option("--kappa", help="Risk aversion: weight on CVaR above the mean.")
    ] = 1.0,
    alpha: Annotated[float, typer.Option("--alpha", help="CVaR level.")] = 0.95,
    sanctions_probability: Annotated[
        float,
        typer.Option(
            "--sanctions-probability",
            help="Yearly chance of the China-route sanctions cost (1: a cost in force).",
        ),
    ] = 1.0,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    decision_t: DecisionOpt = 1000.0,
    fmt: FormatOpt = "table",
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write an HTML report (curve, calibration, backtest)."),
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Subsidy per tonne, China-route disruption rate and yearly bill at which the
    Trans-Caspian route reaches a share."""
    from corridor.analysis.market import breakeven_for, market_dir
    from corridor.market import RiskBuyer

    language_ = language(lang)
    _check_format(fmt)
    net = _undated_net(data, overlay)
    be, run = breakeven_for(
        net,
        commodity,
        origin,
        destination,
        share=share,
        volume_t=volume,
        year=year,
        shortfall_share=shortfall,
        buyer=RiskBuyer(kappa=kappa, alpha=alpha),
        data_dir=market_dir(data),
        decision_t=decision_t,
        sanctions_probability=sanctions_probability,
    )
    cal = run.calibration
    if report is not None:
        from corridor.report.market import market_report

        names = _where(net, language_, (commodity, origin, destination))
        where = dict(zip(("commodity", "origin", "destination"), names, strict=True))
        title = t("mkt_title", language_, **where, year=year)
        html = market_report(title, be, cal, run.backtest(), language_)
        try:
            report.write_text(html, encoding="utf-8")
        except OSError as exc:
            reason = exc.strerror or exc
            raise cannot_write_report(report, reason, "cli_cannot_write_the_report") from None
        report_written(report)
    if fmt == "json":
        _json(
            {
                "commodity": commodity,
                "origin": origin,
                "destination": destination,
                "year": year,
                **be.to_dict(),
            }
        )
        return
    _breakeven_lines(be, net, language_, (commodity, origin, destination), year, kappa, alpha)


def _breakeven_lines(
    be: BreakEven,
    net: Network,
    lang: str,
    where: tuple[str, str, str],
    year: int,
    kappa: float,
    alpha: float,
) -> None:
    """The break-even in the terminal, in ``lang`` (places and families by name in Japanese)."""
    from corridor.i18n import family_name

    commodity, origin, destination = _where(net, lang, where)
    rows = [
        [
            x.family if lang == "en" else family_name(x.family, lang),
            _n(x.cost_usd_per_t),
            _n(x.days_mean, 1),
            _n(x.generalised_usd_per_t),
            _pct(be.shares_now[x.family]),
        ]
        for x in be.inputs.values()
    ]
    _table(
        t(
            "cli_be_title",
            lang,
            commodity=commodity,
            origin=origin,
            destination=destination,
            year=year,
        ),
        [
            t(k, lang)
            for k in (
                "mkt_th_family",
                "cli_be_usd",
                "mkt_th_days",
                "mkt_th_generalised",
                "mkt_th_share_now",
            )
        ],
        rows,
    )
    key = "cli_be_subsidy" if be.subsidy_usd_per_t >= 0 else "cli_be_premium"
    out.print(t(key, lang, share=_pct(be.share), usd=f"{abs(be.subsidy_usd_per_t):,.2f}"))
    if be.volume_t is not None:
        extra, bill = _n(be.buyer_extra_usd_per_year, 0), _n(be.subsidy_bill_usd_per_year, 0)
        out.print(t("cli_be_volume", lang, t=f"{be.volume_t:,.0f}", extra=extra, bill=bill))
    now = be.china_disrupted_days_now
    neutral, averse = t("cli_be_neutral", lang), t("cli_be_averse", lang)
    cvar = t("cli_be_averse_cvar", lang, kappa=f"{kappa:g}", alpha=f"{alpha:.0%}")
    for label, m in (
        (neutral, be.disruption_multiplier_neutral),
        (cvar, be.disruption_multiplier_averse),
    ):
        if m is None:
            out.print(t("cli_be_never", lang, label=label))
        else:
            days = "—" if now is None else f"{m * now:,.1f}"
            out.print(t("cli_be_wins", lang, label=label, m=f"{m:,.2f}", days=days, now=_n(now, 1)))
    p = be.sanctions_probability
    for label, loss in (
        (neutral, be.sanctions_usd_per_t_neutral),
        (averse, be.sanctions_usd_per_t_averse),
    ):
        if loss is None:
            out.print(t("cli_be_no_sanctions", lang, label=label))
        elif p == 1:
            out.print(t("cli_be_sanctions", lang, label=label, loss=f"{loss:,.2f}"))
        else:
            out.print(
                t(
                    "cli_be_sanctions_p",
                    lang,
                    label=label,
                    loss=f"{loss:,.2f}",
                    p=f"{p:g}",
                    expected=f"{p * loss:,.2f}",
                )
            )


@app.command("backtest")
def backtest_cmd(
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    decision_t: DecisionOpt = 1000.0,
    fmt: FormatOpt = "table",
    lang: LangOpt = None,
) -> None:
    """Replay 2022, 2023–24 and 2024–25: predicted against observed Trans-Caspian shifts."""
    from corridor.analysis.market import calibrated, market_dir

    lang_ = language(lang)
    _check_format(fmt)
    run = calibrated(_undated_net(data, overlay), market_dir(data), decision_t=decision_t)
    cal, replays = run.calibration, run.backtest()
    if fmt == "json":
        _json({"market": cal.market, "replays": [r.to_dict() for r in replays]})
        return
    rows = [
        [
            r.label,
            localise(r.change, lang_),
            t("mkt_sample_out", lang_) if r.out_of_sample else t("mkt_sample_in", lang_),
            _n(r.predicted_shift_pts),
            _n(r.observed_shift_pts),
            _n(r.share_error_pts),
            _n(r.predicted_volume_t / 1e6),
            _n(None if r.observed_volume_t is None else r.observed_volume_t / 1e6),
            _n(r.volume_error_pct, 1),
        ]
        for r in replays
    ]
    heads = ["mkt_th_replay", "mkt_th_change"]
    heads += [f"mkt_cli_th_{k}" for k in ("sample", "pred_shift", "obs_shift", "share_error")]
    heads += ["mkt_cli_th_pred_mt", "mkt_cli_th_obs_mt", "mkt_th_volume_error"]
    _table(t("mkt_cli_backtest_title", lang_), [t(k, lang_) for k in heads], rows, left=3)


def _where(net: Network, lang: str, where: tuple[str, str, str]) -> tuple[str, str, str]:
    """Commodity, origin and destination as given (English) or by name (Japanese)."""
    from corridor.network.names import commodity_name, place_name

    commodity, origin, destination = where
    if lang == "en":
        return where
    o, d = (place_name(net.node(n), lang) for n in (origin, destination))
    return commodity_name(net, commodity, lang), o, d
