"""Interface names: what VRP accepts, and nothing that could smuggle a command."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.vrp.names import is_physical_type, normalise_interface_name, strip_bandwidth_suffix


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("GigabitEthernet0/1/0", "GigabitEthernet0/1/0"),
        ("GigabitEthernet 0/1/0", "GigabitEthernet0/1/0"),
        ("gigabitethernet 0/1/0", "GigabitEthernet0/1/0"),
        ("GE0/3/6", "GigabitEthernet0/3/6"),
        ("100GE0/3/0", "100GE0/3/0"),
        ("100GE0/3/0(100M)", "100GE0/3/0"),
        ("Eth-Trunk20", "Eth-Trunk20"),
        ("eth-t 20.100", "Eth-Trunk20.100"),
        ("Virtual-Ethernet0/3/1.10", "Virtual-Ethernet0/3/1.10"),
        ("LoopBack0", "LoopBack0"),
        ("NULL0", "NULL0"),
    ],
)
def test_names_normalise_like_vrp(typed: str, canonical: str) -> None:
    assert normalise_interface_name(typed) == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "brief",
        "description",
        "GigabitEthernet",
        "GigabitEthernet0/1/0; shutdown",
        "GigabitEthernet0/1/0\nshutdown",
        "GigabitEthernet0/1/0 | include x",
        "Foo0/1/0",
        "",
    ],
)
def test_non_names_are_rejected(typed: str) -> None:
    assert normalise_interface_name(typed) is None


def test_bandwidth_suffix_is_stripped() -> None:
    assert strip_bandwidth_suffix("GigabitEthernet0/3/6(10G)") == "GigabitEthernet0/3/6"
    assert strip_bandwidth_suffix("Eth-Trunk1") == "Eth-Trunk1"


@given(st.text(max_size=40))
def test_normalised_names_contain_only_safe_characters(text: str) -> None:
    name = normalise_interface_name(text)
    if name is not None:
        assert all(ch.isalnum() or ch in "-/.:" for ch in name)


@pytest.mark.parametrize(
    ("name", "physical"),
    [
        ("GigabitEthernet", True),
        ("100GE", True),
        ("ge", True),
        ("Eth-Trunk", False),
        ("LoopBack", False),
        ("Virtual-Template", False),
        ("Nonsense", False),
    ],
)
def test_physical_types_are_line_card_ports(name: str, physical: bool) -> None:
    assert is_physical_type(name) is physical
