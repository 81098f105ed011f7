"""Every numeric query or path parameter has an upper bound: a number too big for the stores
is a 422, never a 500 (tests/e2e/test_out_of_range_inputs.py sends them)."""

from __future__ import annotations

from typing import Any

from api.app import create_app


def numeric_parameters(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                for variant in [schema, *schema.get("anyOf", [])]:
                    if variant.get("type") in ("integer", "number"):
                        found.append((path, parameter["name"], variant))
    return found


def test_every_numeric_parameter_has_a_maximum() -> None:
    found = numeric_parameters(create_app().openapi())
    assert found, "the API has numeric parameters: the walk found none"
    unbounded = [(path, name) for path, name, schema in found if "maximum" not in schema]
    assert unbounded == []
