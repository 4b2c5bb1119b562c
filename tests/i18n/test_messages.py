"""Library messages that reach users (no-route reasons) read in Japanese with --lang ja, and
stay the same English text everywhere else."""

from __future__ import annotations

import copy
import pickle
import re
import subprocess
import sys

import pytest

import corridor
from corridor.analysis.queries import default_network
from corridor.errors import NoRouteError
from corridor.i18n import Joined, Message, Named, localise
from corridor.network.names import place_name

UOC = ("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
KANA = re.compile(r"[\u3040-\u30ff]")
ENGLISH_TEMPLATE = re.compile(r"\b(no route|every route|crosses|which is|the network)\b")


def _reason(**kw: object) -> str:
    with pytest.raises(NoRouteError) as exc:
        corridor.routes(*UOC, **kw)  # type: ignore[arg-type]
    reason = exc.value.args[0]
    assert isinstance(reason, Message), type(reason)
    return reason


@pytest.mark.parametrize(
    "kw, ja_words",
    [
        ({"avoid": ["KZ"]}, ["出発地", "回避対象のカザフスタン"]),  # the origin's own country
        ({"avoid": ["CN", "RU", "AZ", "IR", "TM"]}, ["回避規則"]),  # rules that together block
    ],
)
def test_no_route_reasons_are_japanese_with_names(kw, ja_words):
    net = default_network()
    reason = _reason(**kw)
    assert str(reason).startswith(
        "no route for Uranium ore concentrate (U3O8) from North Kharasan to Yokohama"
    )  # names, not ids, in English too
    ja = localise(reason, "ja")
    assert ja.startswith(
        f"{place_name(net.node('KZ_NORTH_KHARASAN'), 'ja')}から横浜港へのウラン精鉱"
    )
    assert KANA.search(ja) and not ENGLISH_TEMPLATE.search(ja), ja
    for words in ja_words:
        assert words in ja, ja
    assert localise(reason, "en") == str(reason)


def test_messages_nest_and_copy_as_their_english_text():
    m = Message(
        "noroute_because",
        what=Message("noroute_what", commodity=Named("ore", "鉱石"), origin="A", destination="B"),
        reason=Joined("; ", [Message("why_cargo", link="L1", cargo="class7"), "plain"]),
    )
    assert m == "no route for ore from A to B: link L1 does not carry class7 cargo; plain"
    assert (
        localise(m, "ja") == "AからBへの鉱石の経路はない。理由: 区間L1はclass7貨物を運ばない; plain"
    )
    for clone in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
        assert clone == str(m) and type(clone) is str  # a copy is the English text


def test_cli_prints_the_japanese_reason_and_exits_2():
    p = subprocess.run(
        [sys.executable, "-m", "corridor", "compare", "--commodity", UOC[0], "--origin", UOC[1],
         "--destination", UOC[2], "--avoid", "KZ", "--lang", "ja"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "エラー" in p.stderr and "回避対象のカザフスタン" in p.stderr, p.stderr
