"""Plan bands on the example contracts: a shadow price set by the shortfall penalty is not
banded as if it were the value of a capacity."""

from __future__ import annotations

import json

from corridor.analysis import default_network
from corridor.analysis.plan_bands import plan_bands


def test_penalty_set_shadow_prices_are_marked_and_not_banded():
    net = default_network()
    result, b = plan_bands("examples/contracts.yaml", samples=8, seed=0, network=net)
    # the crude contract falls short as stated: Aktau–Sangachal's dual is the penalty's
    stated = {u.capacity.id: u.shadow_price_usd_per_t for u in result.utilisation}
    assert stated["T_AKTAU_SANGACHAL"] > 10_000
    assert b.penalty_driven == {"T_AKTAU_SANGACHAL": 1.0}
    doc = b.to_dict()
    assert "T_AKTAU_SANGACHAL" not in doc["bands"]["shadow_price_usd_per_t"]
    assert doc["penalty_driven_shadow_prices"] == {"T_AKTAU_SANGACHAL": 1.0}
    assert not any(k.startswith("penalty:") for k in b.study.bands)
    for band in doc["bands"]["shadow_price_usd_per_t"].values():
        assert band["p95"] < 10_000  # what is left are prices a route cost can explain
    assert "set by the shortfall penalty" in b.closing_note()
    json.dumps(doc)
