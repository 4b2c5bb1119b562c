"""Plan bands: a shadow price set by the shortfall penalty is not banded as if it were the
value of a capacity. The case: the example contracts with the crude contract at its earlier
1 Mt/yr, which falls about 0.37 Mt/yr short on the Caspian tanker leg (T_AKTAU_SANGACHAL);
the tanker's dual is then the penalty's (≈ USD 136,000/t)."""

from __future__ import annotations

import json
from pathlib import Path

from corridor.analysis import default_network
from corridor.analysis.plan_bands import plan_bands


def test_penalty_set_shadow_prices_are_marked_and_not_banded(tmp_path: Path):
    net = default_network()
    text = Path("examples/contracts.yaml").read_text(encoding="utf-8")
    crude = text.index("id: crude_tengiz")
    at = text.index("volume_t_per_year: 600000", crude)
    short = tmp_path / "contracts.yaml"
    short.write_text(text[:at] + "volume_t_per_year: 1000000" + text[at + 25 :], encoding="utf-8")
    result, b = plan_bands(short, samples=8, seed=0, network=net)
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
