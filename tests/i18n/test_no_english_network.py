"""``network show``, ``runs show``/``runs diff`` and the no-route reason of uranium via Iran in
Japanese (#17): no English where a translation exists (the check of
:mod:`tests.i18n.test_no_english`), places by name rather than link ids, English unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import corridor
from corridor.analysis.queries import default_network
from corridor.cli import app
from corridor.errors import NoRouteError
from corridor.i18n import localise
from corridor.store import get_run, list_runs
from tests.cli.test_cli import run
from tests.i18n.test_no_english import CONTRACTS, UOC, YOK, _flat, _run, english_left

LINK_ID = re.compile(r"\b[A-Z]{1,2}_[A-Z0-9_]+\b")  # L_BOLASHAK_BEREKET, S_…_CTR, F_AKTAU_ALAT


def _iran_reason() -> str:
    result = corridor.compare("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
    return result.unavailable["south"]


def test_iran_reason_names_places_not_link_ids_in_both_languages():
    reason = _iran_reason()
    net = default_network()
    ids = {link.id for link in net.links if link.family == "south"}
    assert len(ids) == 13  # every Iran-family link refuses class 7 (links.csv)
    assert "none of 13 links (Bolashak → Bereket by rail, Bereket → Etrek by rail," in reason
    ja = localise(reason, "ja")
    assert "13区間（ボラシャク国境駅→ベレケト分岐駅間の鉄道、ベレケト分岐駅→エトレク間" in ja
    assert "のいずれも放射性物質（クラス7）貨物を運ばない" in ja
    for text in (str(reason), ja):
        assert not ids & set(LINK_ID.findall(text)), text
    assert english_left(ja) == []


def test_iran_reason_keeps_the_link_ids_in_json():
    res = CliRunner().invoke(app, ["compare", *UOC, *YOK, "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert "L_BOLASHAK_BEREKET" not in doc["unavailable"]["south"]
    links = doc["unavailable_links"]["south"]
    assert links[:2] == ["L_BOLASHAK_BEREKET", "L_BEREKET_ETREK"] and len(links) == 13


def test_compare_in_japanese_shows_the_iran_reason_by_place():
    text = _run(["compare", *UOC, *YOK])
    assert "イラン経由系統には" in text and "ボラシャク国境駅→ベレケト分岐駅間の鉄道" in text
    assert "L_BOLASHAK_BEREKET" not in text


RECORDS = ["KZ_AKTAU", "F_AKTAU_ALAT", "uranium_ore_concentrate", "CN", "US_IRAN_SECONDARY"]


AS_WRITTEN = ("name_en", "note", "service", "packaging", "vehicle", "citation", "method", "url")


def _as_written(record_id: str) -> list[str]:
    """Texts the record page shows as the tables have them (English data, labelled 原文 or
    英語名): the record's own and those of the sources it cites."""
    net = default_network()
    table = next(t for t in ("nodes", "links", "commodities", "exposures", "regimes")
                 if net.has(t, record_id))  # fmt: skip
    rec = net.record(table, record_id)
    texts = [getattr(rec, k, "") for k in AS_WRITTEN]
    for sid in {s for ids in dict(rec.sources).values() for s in ids}:
        texts += [getattr(net.source(sid), k, "") for k in AS_WRITTEN]
    return sorted((t for t in texts if t), key=len, reverse=True)


def _without_data(text: str, record_id: str) -> str:
    """The page with its as-written data taken out (table borders and wraps undone first)."""
    flat = " ".join(_flat(text).split())
    for data in _as_written(record_id):
        flat = flat.replace(" ".join(data.split()), " ")
    return flat


def test_network_counts_in_japanese():
    text = _run(["network", "show"])
    assert "コリドーネットワーク (同梱データ、" in text and "時点): 地点" in text
    assert "地点の種類: 国境通過点 12、" in text  # border_crossing 12 (nodes.csv)
    assert "区間の輸送手段: フェリー 2、パイプライン 8、鉄道 62" in text
    assert "イラン経由: 13区間、10地点: " in text
    assert "KZ_DOSTYK" not in text and "(south)" not in text  # places by name, no family id
    assert english_left(text) == []


@pytest.mark.parametrize("record_id", RECORDS)
def test_network_record_in_japanese(record_id: str):
    text = _run(["network", "show", record_id])
    assert "┃ 項目" in text and "出典" in text, text[:500]
    assert english_left(_without_data(text, record_id)) == []
    assert "method:" not in text and "(quoted," not in text and "(estimated," not in text


def test_network_link_in_japanese_names_its_places_and_words():
    text = _run(["network", "show", "F_AKTAU_ALAT"])
    assert "区間 アクタウ港→バクー国際海上商業港間のフェリー" in text  # the title, not the id
    for row in (
        "│ 起点 ",
        "│ 輸送手段 ",
        "│ 運賃 USD/t ",
        "│ 季節係数（月: 能力比） ",
        "│ 双方向 ",
    ):
        assert row in text, row
    assert "│ 11月: 0.5、12月: 0.5" in text and "│ はい " in text
    # links.csv F_AKTAU_ALAT: tariff 60 USD/t from est_ferry_tariff; the estimate by its title
    line = next(x for x in text.splitlines() if "│ 運賃 USD/t " in x)
    assert "│ 60 " in line and "est_ferry_tariff" in line
    assert "est_ferry_tariff（推定、2025年）: 分析者による推定: " in text


@pytest.mark.parametrize(
    ("link_id", "service", "ja"),
    [
        ("L_DOSTYK_ALASHANKOU", "freight train", "貨物列車"),
        ("F_AKTAU_ALAT", "rail ferry", "鉄道フェリー"),
    ],
)
def test_network_link_in_japanese_names_its_service(link_id: str, service: str, ja: str):
    # links.csv: the service as written, named in Japanese by the catalogue (svc_*)
    assert default_network().link(link_id).service == service
    text = _run(["network", "show", link_id])
    row = next(x for x in text.splitlines() if "│ 輸送サービス" in x)
    assert "│ 輸送サービス " in row and f"│ {ja} " in row and "原文" not in row, row
    assert service not in row
    english = _run(["network", "show", link_id], "en")
    assert "│ service " in english and f"│ {service} " in english
    doc = json.loads(_run(["network", "show", link_id, "--format", "json"]))
    assert doc["service"] == service  # the JSON keeps the table's words


def test_network_show_in_english_is_unchanged_in_its_words():
    text = _run(["network", "show", "F_AKTAU_ALAT"], "en")
    assert "link F_AKTAU_ALAT" in text and "│ tariff_usd_per_t " in text
    assert "est_ferry_tariff (estimated, 2025): Analyst estimate: Caspian rail-ferry tariff" in text
    assert english_left(text) != []


def test_unknown_record_in_japanese_is_a_japanese_error():
    p = run("network", "show", "MIN", "--lang", "ja")  # the tiny network has MINE
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert (
        "エラー: ID「MIN」の地点・区間・品目・依存先・出典・規制・買い手はない（候補: MINE"
        in p.stderr
    )
    en = run("network", "show", "MIN", "--lang", "en").stderr
    assert "no node, link, commodity, exposure, source, regime or buyer has the id 'MIN'" in en


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A run store with a capacity run and two plans (the second capping China at 50 %)."""
    path = str(tmp_path_factory.mktemp("runs") / "runs.duckdb")
    plan = ["plan", str(CONTRACTS), "--store", path]
    for args in (
        ["capacity", "--commodity", "rare_earth_concentrate", "--origin", "KZ_ZHANA_KZ", *YOK,
         "--family", "trans_caspian", "--store", path],
        plan,
        [*plan, "--max-share", "CN=0.5"],
    ):  # fmt: skip
        res = CliRunner().invoke(app, args, env={"CORRIDOR_DATA": ""})
        assert res.exit_code == 0, res.output
    return path


def _ids(store: str) -> list[str]:
    return [r.id for r in list_runs(store=Path(store))][::-1]  # oldest first


def _stored_english(store: str, run_id: str) -> list[str]:
    """The shortfall causes of a run, kept in the store as English text."""
    run = get_run(run_id, store=Path(store))
    return [str(r["causes"]) for r in run.tables.get("shortfalls", [])]


def _without(text: str, texts: list[str]) -> str:
    flat = " ".join(_flat(text).split())
    for data in sorted(texts, key=len, reverse=True):
        flat = flat.replace(" ".join(data.split()), " ")
    return flat


def test_runs_show_in_japanese(store: str):
    capacity, first, second = _ids(store)
    text = _run(["runs", "show", capacity, "--store", store])
    assert "（輸送能力、完了）" in text and "最大 トン/年 " in text
    assert "区間別の流量" in text and "アクタウ港→バクー国際海上商業港間のフェリー" in text
    assert "カスピ海鉄道フェリー船隊" in text and "F_AKTAU_ALAT" not in text
    assert english_left(text) == []
    for run_id in (first, second):
        text = _run(["runs", "show", run_id, "--store", store])
        assert "経路別の流量" in text and "中国経由: ドスティク国境駅 → 阿拉山口" in text
        assert "route_flows" not in text and "cost_usd_per_t" not in text
        assert english_left(_without(text, _stored_english(store, run_id))) == []


def test_runs_diff_in_japanese(store: str):
    _, first, second = _ids(store)
    text = _run(["runs", "diff", first, second, "--store", store])
    assert "主要な数値" in text and "変化した輸送能力の利用" in text
    assert "総費用 USD/年" in text and "total_cost_usd_per_year" not in text
    assert "ポティ港: 放射性物質（クラス7）の海上輸送による搬出" in text  # CAP_POTI_CLASS7
    assert "CAP_POTI_CLASS7" not in text
    assert english_left(text) == []


def test_runs_show_and_diff_in_english_keep_the_stored_keys(store: str):
    capacity, first, second = _ids(store)
    text = _run(["runs", "show", capacity, "--store", store], "en")
    assert "(capacity, complete) created" in text and "link_flows" in text
    text = _run(["runs", "diff", first, second, "--store", store], "en")
    assert "│ total_cost_usd_per_year " in text and "│ CAP_POTI_CLASS7 " in text


def test_validate_model_rare_lines_in_japanese():
    """The simulated rows and the capacity sums, which the default run leaves out or shows
    by id."""
    text = _run(["validate-model", "--simulate", "2"])
    assert "2回反復、シード 0: アルマトイ → " in text
    assert "カスピ海鉄道フェリー船隊 + " in text  # capacity_total:caspian_rail_ferry_fleet|…
    assert "caspian_rail_ferry_fleet" not in text and "replications" not in text
    assert english_left(text) == []


def test_a_bad_validation_table_is_a_japanese_error(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,figure,use,query,metric,unit,low,high,year,source\n"
                   "x,f,bogus,route:a:b,days_mean,d,5,3,abc,s\n", encoding="utf-8")  # fmt: skip
    p = run("validate-model", "--table", str(bad), "--lang", "ja")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert f"エラー: {bad}に2件の問題:" in p.stderr
    assert f"{bad} 2行目、列 use: 「bogus」はcalibration・validationのどちらでもない" in p.stderr
    assert f"{bad} 2行目、列 year: 「abc」は数値ではない" in p.stderr
    en = run("validate-model", "--table", str(bad), "--lang", "en").stderr
    assert f"{bad}, row 2, column use: 'bogus' is not calibration or validation" in en


def test_a_regime_reason_reads_name_then_bracket_in_japanese():
    """US_IRAN_SECONDARY excludes Iran for buyer JP: the bracket follows the country's name
    (no comma), and the destination in Iran reads as one sentence."""
    text = _run(["compare", "--commodity", "rare_earth_concentrate", "--origin", "KZ_ZHANA_KZ",
                 *YOK])  # fmt: skip
    assert (
        "どの経路もイラン（米国の対イラン二次制裁（海運・港湾部門）により買い手JPは利用不可）を通る"
        in (" ".join(_flat(text).split()).replace(" ", ""))
    )
    with pytest.raises(NoRouteError) as exc:
        corridor.routes("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "IR_BANDAR_ABBAS")
    ja = localise(exc.value.args[0], "ja")
    assert "理由: 仕向地のバンダレ・アッバースはイランにある（米国の対イラン二次制裁" in ja
    assert "IR_BANDAR_ABBAS" not in ja and english_left(ja) == []


def test_network_validate_in_japanese():
    text = _run(["network", "validate"])
    assert text.startswith("問題なし: 地点") and "（同梱データ）" in text
    assert english_left(text) == []
    assert _run(["network", "validate"], "en").startswith("valid: ")


def test_runs_errors_in_japanese(store: str):
    p = run("runs", "show", "plan", "--store", store, "--lang", "ja")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "エラー: 「plan」に当てはまる実行が複数ある（plan-" in p.stderr
    p = run("runs", "show", "nosuch", "--store", store, "--lang", "ja")
    assert "エラー: 保存先に実行「nosuch」はない" in p.stderr
    p = run("runs", "show", "nosuch", "--store", store, "--lang", "en")
    assert "error: no run 'nosuch' in the store" in p.stderr
