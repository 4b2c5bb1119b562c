"""One builder for contracts: an API body is built as a YAML file is (tiny network)."""

from __future__ import annotations

import pytest

from corridor.contracts.io import build_portfolio, load_contracts
from corridor.contracts.model import ContractError, Rule

ENTRY = {
    "id": "c1",
    "commodity": "ore",
    "origins": ["MINE"],
    "destinations": ["DEST"],
    "volume_t_per_year": 1000,
}


def test_a_body_and_a_file_build_the_same_portfolio(tiny, tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(
        "contracts:\n"
        "  - {id: c1, commodity: ore, origin: MINE, destination: DEST, volume_t_per_year: 1000}\n"
        "rules:\n"
        "  - {family: china, min_share: 0.25}\n"
    )
    from_file = load_contracts(f, tiny)
    built = build_portfolio([ENTRY], [{"family": "china", "min_share": 0.25}], tiny)
    assert built.contracts == from_file.contracts
    assert built.rules == from_file.rules == (Rule("china", "family", None, 0.25),)


@pytest.mark.parametrize(
    ("contract", "rule", "field", "says"),
    [
        ({"origins": ["NOPE"]}, None, "contracts.0.origins", "unknown node 'NOPE'"),
        ({"commodity": "ores"}, None, "contracts.0.commodity", "did you mean ore"),
        ({"volume_t_per_year": -1}, None, "contracts.0.volume_t_per_year", "positive"),
        ({}, {"exposure": "XX", "max_share": 0.5}, "rules.0.target", "unknown exposure"),
        ({}, {"family": "moon", "max_share": 0.5}, "rules.0.target", "route family"),
        ({}, {"exposure": "CN"}, "rules.0.max_share", "give min_share or max_share"),
        ({}, {"exposure": "CN", "max_share": 0.2, "min_share": 0.3}, "rules.0.min_share", "above"),
        ({}, {"exposure": "CN", "max_share": 0.5, "scope": "c9"}, "rules.0.scope", "not each"),
    ],
)
def test_each_problem_names_its_field_in_the_body(tiny, contract, rule, field, says):
    with pytest.raises(ContractError) as caught:
        build_portfolio([{**ENTRY, **contract}], [rule] if rule else [], tiny)
    (problem,) = caught.value.problems
    assert problem.column == field and says in problem.message


def test_a_repeated_contract_id_is_named_where_it_repeats(tiny):
    with pytest.raises(ContractError) as caught:
        build_portfolio([ENTRY, ENTRY], [], tiny)
    (problem,) = caught.value.problems
    assert problem.column == "contracts.1.id"
