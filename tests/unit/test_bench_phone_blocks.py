"""The benchmark's sections share one scratch database: each registers people in a block of
phone numbers of its own, or a full run stops on a duplicate number."""

from __future__ import annotations

import importlib
import pkgutil
import re

import bench

_BLOCK = re.compile(r"\+\d{6,}")


def _blocks() -> dict[str, str]:
    """Every module-level phone block of the bench's modules, by where it is declared."""
    found = {}
    for module_info in pkgutil.iter_modules(bench.__path__):
        module = importlib.import_module(f"bench.{module_info.name}")
        for name, value in vars(module).items():
            if isinstance(value, str) and _BLOCK.fullmatch(value):
                found[f"{module_info.name}.{name}"] = value
    return found


def test_no_sections_numbers_can_be_another_sections() -> None:
    blocks = _blocks()
    assert len(blocks) >= 10  # the sections' blocks were found
    clashes = [
        (first, second)
        for first, one in blocks.items()
        for second, other in blocks.items()
        if first < second
        and first.split(".")[0] != second.split(".")[0]
        and (other.startswith(one) or one.startswith(other))
    ]
    assert not clashes, [(a, blocks[a], b, blocks[b]) for a, b in clashes]
