"""Japanese names: every node, exposure, commodity, regime and buyer profile has one."""

from __future__ import annotations

import re

import pytest

from corridor import analysis as api

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
"""Hiragana, katakana or CJK ideographs."""


@pytest.mark.parametrize("table", ["nodes", "exposures", "commodities", "regimes", "buyers"])
def test_every_row_has_a_japanese_name(table: str):
    rows = getattr(api.default_network(), table)
    assert rows
    missing = [r.id for r in rows if not JAPANESE.search(r.name_ja)]
    assert missing == [], f"{table}.csv rows without a Japanese name_ja: {missing}"
