"""Response models derived from the library's dataclasses: a field added to a record shows."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from corridor.network import model
from corridor.routing.route import Leg
from corridor.web._derive import model_of
from corridor.web.app import create_app


@pytest.fixture(scope="module")
def components(tiny):
    spec = TestClient(create_app(tiny), base_url="http://127.0.0.1").get("/openapi.json").json()
    return spec["components"]["schemas"]


@pytest.mark.parametrize(
    ("record", "component"),
    [
        (model.Node, "NodeOut"),
        (model.Link, "LinkOut"),
        (model.Commodity, "CommodityOut"),
        (model.Exposure, "ExposureOut"),
        (model.EmissionFactor, "EmissionFactorOut"),
        (model.Source, "SourceOut"),
    ],
)
def test_every_field_of_a_network_record_is_in_its_schema(components, record, component):
    schema = components[component]
    keys = {f.name.rstrip("_") for f in dataclasses.fields(record)}
    assert set(schema["properties"]) == keys
    assert set(schema["required"]) == keys
    assert schema["additionalProperties"] is False


def test_a_field_added_to_a_record_appears_without_a_second_edit():
    @dataclasses.dataclass(frozen=True)
    class Wider(model.Source):
        licence: str = ""
        mirrors: tuple[str, ...] = ()

    schema = model_of(Wider, "WiderOut").model_json_schema()
    assert {"licence", "mirrors"} <= set(schema["properties"])
    assert schema["properties"]["mirrors"] == {
        "items": {"type": "string"},
        "title": "Mirrors",
        "type": "array",
    }


def test_renamed_and_dropped_fields_follow_the_json(components):
    leg = components["LegOut"]["properties"]
    assert "from" in leg and "from_" not in leg
    assert "cost_parts_usd_per_t" in leg and "parts" not in leg and "days_var" not in leg
    kept = {f.name for f in dataclasses.fields(Leg)} - {"from_", "parts", "days_var"}
    assert kept <= set(leg)
    # answers that leave a key out when empty do not require it
    assert "uncertainty" not in components["RouteSetOut"]["required"]
    assert "risk_measures" not in components["ComparisonOut"]["required"]


def test_a_record_whose_json_lacks_a_field_fails_validation(tiny):
    from pydantic import ValidationError

    from corridor.web.endpoints import record_dict
    from corridor.web.schemas import NodeOut

    row = record_dict(tiny.nodes[0])
    NodeOut.model_validate(row)
    with pytest.raises(ValidationError):
        NodeOut.model_validate({k: v for k, v in row.items() if k != "note"})
    with pytest.raises(ValidationError):
        NodeOut.model_validate({**row, "unexpected": 1})
