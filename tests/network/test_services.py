"""Rail service classes: per-line speeds, train formation, choice per request and contract.

On the tiny network, rail link L2 (1,000 km, 1.25 d in the table) is marked as computed from
a speed (source est_rail_transit); a block train runs 500 km/day (p95 × 1.5) and waits 24 h
to be formed, wagonload runs 250 km/day (p95 × 2) and waits 48 h. The China route loads
onto rail once, at HUB (road → rail); the gauge change at BORDER_A forms no new train.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from corridor.analysis.queries import routes
from corridor.contracts.io import load_contracts
from corridor.contracts.model import Contract
from corridor.costs import Assumptions
from corridor.errors import InvalidParameterError, RequestError
from corridor.network import load_network
from corridor.network.states import network_on
from corridor.optimize.planning import plan

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"
SERVICES = """\
id,service,default_for,scope,speed_km_per_day,link_overhead_days,p95_factor,formation_hours,formation_hours_p95,sources,note
SV_B,block,container,,500,0,1.5,24,48,hand,
SV_W,wagonload,,,250,0,2,48,96,hand,
"""
SOURCES = """\
id,citation,url,year,kind,method
est_rail_transit,Rail transit from a speed,,2026,estimated,distance over speed
"""


def _overlay(tmp_path: Path, services: str = SERVICES) -> Path:
    folder = tmp_path / "overlay"
    folder.mkdir()
    links = (TINY / "links.csv").read_text(encoding="utf-8").splitlines()
    header = links[0]
    l2 = next(row for row in links if row.startswith("L2,"))
    l2 = l2.replace(",hand,", ",hand;transit_days|transit_days_p95=est_rail_transit,")
    (folder / "links.csv").write_text(f"{header}\n{l2}\n", encoding="utf-8")
    (folder / "sources.csv").write_text(SOURCES, encoding="utf-8")
    (folder / "services.csv").write_text(services, encoding="utf-8")
    return folder


def _china(net, a: Assumptions | None = None):
    found = routes("ore", "MINE", "DEST", k=5, network=net, assumptions=a)
    return next(r for r in found.routes if r.family == "china")


def test_block_and_wagonload_times_on_paper(tmp_path):
    base = _china(load_network(TINY))
    net = load_network(TINY, _overlay(tmp_path))
    block = _china(net)  # containers default to block
    wagon = _china(net, Assumptions(service="wagonload"))
    # L2: 1.25 d → 1000/500 = 2 d; plus 1 d formation at HUB.
    assert block.days_mean == pytest.approx(base.days_mean - 1.25 + 2.0 + 1.0)
    # Wagonload: 1000/250 = 4 d; plus 2 d formation.
    assert wagon.days_mean == pytest.approx(base.days_mean - 1.25 + 4.0 + 2.0)
    assert wagon.days_p95 > block.days_p95


def test_a_link_row_beats_the_default_row(tmp_path):
    rows = SERVICES + "SV_L2,block,,L2,1000,,,,,hand,\n"
    net = load_network(TINY, _overlay(tmp_path, rows))
    base = _china(load_network(TINY))
    assert _china(net).days_mean == pytest.approx(base.days_mean - 1.25 + 1.0 + 1.0)


def test_a_state_delay_on_a_speed_timed_link_is_kept(tmp_path):
    """A state in force adds its delay to a rail link whose time comes from a speed: the
    recomputed transit keeps it (it used to be dropped silently)."""
    folder = _overlay(tmp_path)
    (folder / "states.csv").write_text(
        "id,name_en,name_ja,kind,targets,start,end,capacity_factor,delay_days,"
        "delay_days_p95,surcharge_usd_per_t,sources,note\n"
        "ST_L2,L2 works,,works,L2,2024-03-01,,,2,5,,hand,\n",
        encoding="utf-8",
    )
    net = load_network(TINY, folder)
    before = network_on(net, dt.date(2024, 2, 1))
    during = network_on(net, dt.date(2024, 6, 1))
    # Block: L2 = 1000/500 = 2 d (p95 3 d) before; 2 + 2 = 4 d (p95 3 + 5 = 8 d) during.
    from corridor.costs import rail_days

    block = Assumptions(service="block")
    c = net.commodity("ore")
    assert rail_days(before, before.link("L2"), c, block) == pytest.approx((2.0, 3.0))
    assert rail_days(during, during.link("L2"), c, block) == pytest.approx((4.0, 8.0))
    wagon = Assumptions(service="wagonload")
    assert rail_days(during, during.link("L2"), c, wagon) == pytest.approx((6.0, 13.0))
    assert _china(during).days_mean == pytest.approx(_china(before).days_mean + 2.0)


def test_a_scenario_delay_on_a_speed_timed_link_is_kept(tmp_path):
    from corridor.costs import rail_days
    from corridor.network.scenario import Edit, Scenario, apply_scenario

    net = load_network(TINY, _overlay(tmp_path))
    slow = apply_scenario(Scenario("slow", (Edit("delay", "L2", days=1.5),)), net).network
    c = net.commodity("ore")
    a = Assumptions(service="block")
    assert rail_days(slow, slow.link("L2"), c, a) == pytest.approx((3.5, 4.5))


def test_a_contract_chooses_its_service(tmp_path):
    net = load_network(TINY, _overlay(tmp_path))
    wagon = _china(net, Assumptions(service="wagonload"))
    c = Contract("c", "ore", ("MINE",), ("DEST",), 1000, avoid=("GE",), service="wagonload")
    flows = plan([c], network=net).flows
    assert flows[0].route.days_mean == pytest.approx(wagon.days_mean)
    block = plan([Contract("b", "ore", ("MINE",), ("DEST",), 1000, avoid=("GE",))], network=net)
    assert block.flows[0].route.days_mean == pytest.approx(_china(net).days_mean)


def test_a_bad_service_is_refused(tmp_path):
    with pytest.raises(InvalidParameterError, match="service must be block or wagonload"):
        Assumptions(service="express")
    path = tmp_path / "c.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            contracts:
              - id: c
                commodity: ore
                origin: MINE
                destination: DEST
                volume_t_per_year: 10
                service: express
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(RequestError, match=r"line 7.*service must be block or wagonload"):
        load_contracts(path, load_network(TINY))
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridor",
            "routes",
            "--commodity",
            "ore",
            "--origin",
            "MINE",
            "--destination",
            "DEST",
            "--service",
            "express",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"CORRIDOR_DATA": str(TINY), "PATH": ""},
    )
    assert p.returncode == 2 and "--service must be block or wagonload" in p.stderr


def test_a_winter_state_holds_only_in_its_months(tmp_path):
    folder = tmp_path / "winter"
    folder.mkdir()
    (folder / "states.csv").write_text(
        "id,name_en,kind,targets,start,months,delay_days,delay_days_p95,sources\n"
        "ST_W,winter,regime,L6,2020-01-01,11|12,2,6,hand\n",
        encoding="utf-8",
    )
    net = load_network(TINY, folder)
    june = network_on(net, dt.date(2024, 6, 1)).link("L6")
    december = network_on(net, dt.date(2024, 12, 1)).link("L6")
    assert december.transit_days == pytest.approx(june.transit_days + 2)
    assert december.transit_days_p95 == pytest.approx(june.transit_days_p95 + 6)
