"""One row per real-world regime or event: two exposures a route crosses together must not
both carry the same event history, or a route's expected disrupted days count it twice.

An exposure's rate names, in its provenance, the quoted sources of the events it was derived
from. If two exposures of one route share such a source, both rows describe (at least partly)
the same regime and the route adds it up: IR and HORMUZ both carried the 2026 Hormuz closure,
TR and BTC the 2023 Ceyhan earthquake halt, BLACK_SEA and CPC the 2025 attacks at the CPC
terminal.
"""

from __future__ import annotations

from itertools import combinations

from corridor import analysis as api
from corridor.network import Network


def _event_history(net: Network, exposure: str) -> set[str]:
    quoted = {s.id for s in net.sources if s.kind == "quoted"}
    return set(net.exposure(exposure).sources.get("events_per_year", ())) & quoted


def shared_histories(net: Network) -> set[tuple[str, str, str]]:
    """(exposure, exposure, source) for every pair crossed by one route that share a history.

    The routes are those ``compare`` finds (every family, buyer ``none`` so that sanctioned
    routes count too) for every product of every origin to the first destination port.
    """
    dest = next(n.id for n in net.nodes if n.kind == "destination_port")
    out = set()
    for node in net.nodes:
        for commodity in node.products:
            if net.commodity(commodity).no_route_reason:
                continue
            cmp = api.compare(commodity, node.id, dest, network=net, buyer="none")
            for route in cmp.routes:
                crossed = sorted({*route.countries, *route.chokepoints})
                for a, b in combinations(crossed, 2):
                    for source in _event_history(net, a) & _event_history(net, b):
                        out.add((a, b, source))
    return out


def test_no_two_exposures_of_a_route_count_the_same_regime():
    assert shared_histories(api.default_network()) == set()


def test_the_check_catches_the_hormuz_regime_counted_twice():
    from dataclasses import replace

    net = api.default_network()
    hormuz = net.exposure("HORMUZ")
    iran = replace(
        net.exposure("IR"),
        events_per_year=hormuz.events_per_year,
        duration_days=hormuz.duration_days,
        capacity_loss=hormuz.capacity_loss,
        sources=hormuz.sources,
    )
    doubled = replace(net, exposures=tuple(iran if e.id == "IR" else e for e in net.exposures))
    assert ("HORMUZ", "IR", "hormuz_2026") in shared_histories(doubled)


def same_conditions(net: Network, regimes) -> list[tuple[str, str, list[str]]]:
    """(market regime, state, problems) for every market regime and network state that
    describe one condition: the same start and a regime exposure that the state's target
    links cross. Such a pair must name each other and split the effects: the state's
    surcharge and delay must be zero where the regime prices the condition or adds days
    (the market model prices a year on the network with its states, then adds the regime).
    """
    out = []
    for st in net.states:
        crossed = set(st.targets)
        for link in net.links:
            if link.id in st.targets:
                crossed |= {*link.chokepoints, *link.countries, link.family}
        for rg in regimes:
            if rg.start != st.start or not set(rg.applies_to) & crossed:
                continue
            problems = []
            if st.id not in rg.note or rg.id not in st.note:
                problems.append("not linked")
            if rg.penalty_usd_per_t and st.surcharge_usd_per_t:
                problems.append("price counted twice")
            if rg.extra_days and st.delay_days:
                problems.append("time counted twice")
            out.append((rg.id, st.id, problems))
    return out


def test_caspian_low_water_is_one_condition_with_two_effects_counted_once():
    from corridor.market.observations import load_market_data

    net = api.default_network()
    regimes = load_market_data(network=net).regimes
    pairs = same_conditions(net, regimes)
    assert ("RG_CASPIAN_LOW_WATER", "ST_CASPIAN_LOW_WATER", []) in pairs
    assert all(not problems for _, _, problems in pairs), pairs
    # The check bites: a surcharge on the state would price low water a second time.
    from dataclasses import replace

    st = next(s for s in net.states if s.id == "ST_CASPIAN_LOW_WATER")
    doubled = replace(
        net,
        states=tuple(replace(s, surcharge_usd_per_t=10.9) if s is st else s for s in net.states),
    )
    assert ("RG_CASPIAN_LOW_WATER", "ST_CASPIAN_LOW_WATER", ["price counted twice"]) in (
        same_conditions(doubled, regimes)
    )
