"""The benchmark's generated outputs parse to exactly what the generator wrote (no timing)."""

from __future__ import annotations

import pytest

from app.vrp.interface_brief import parse_interface_brief
from app.vrp.interface_detail import parse_interface_detail
from bench.parse_bench import (
    COMMON_TEMPLATES,
    INTERFACE_COUNT,
    NE8000_TEMPLATES,
    build_brief_text,
    build_interface_text,
)


@pytest.mark.parametrize("templates", [COMMON_TEMPLATES, NE8000_TEMPLATES])
def test_generated_display_interface_parses_to_the_ground_truth(templates: tuple) -> None:
    text, expected = build_interface_text(templates)
    blocks = parse_interface_detail(text).interfaces
    assert len(blocks) == INTERFACE_COUNT == len(expected)
    assert len({block.name for block in blocks}) == INTERFACE_COUNT
    for block, truth in zip(blocks, expected, strict=True):
        assert (block.name, block.description) == (truth.name, truth.description)
        assert (block.input_bytes, block.input_packets) == (truth.input_bytes, truth.input_packets)
        assert (block.output_bytes, block.output_packets) == (
            truth.output_bytes,
            truth.output_packets,
        )
        assert (block.input_rate_bps, block.output_rate_bps) == (
            truth.input_rate_bps,
            truth.output_rate_bps,
        )
    assert any(block.input_bytes and block.input_bytes > 2**53 for block in blocks)


def test_generated_display_interface_mixes_both_layouts() -> None:
    text, _ = build_interface_text(NE8000_TEMPLATES)
    blocks = parse_interface_detail(text).interfaces
    orders = {block.counter_order for block in blocks}
    assert orders == {"bytes-first", "packets-first"}
    assert blocks[0].name == "GigabitEthernet0/0/0"
    assert any(block.trunk_members for block in blocks)


def test_generated_brief_parses_to_the_ground_truth() -> None:
    text, truth = build_brief_text()
    rows = parse_interface_brief(text).interfaces
    assert len(rows) == len(truth) == 5000
    assert [(r.name, r.trunk, r.phy, r.in_util_percent) for r in rows] == [
        (t.name, t.trunk, t.phy, t.in_util) for t in truth
    ]
    assert rows[1].trunk == "Eth-Trunk1"
