"""Address-pool parsers against every published capture of those commands."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError
from app.domain.subscribers import IpPoolList
from app.vrp.catalog import parse_output, resolve
from app.vrp.ip_pools import parse_ip_pool, parse_ip_pool_group, parse_ip_pool_usage
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

DOC = "huawei-doc-ne40e-v800r012c10"
CE = "huawei-doc-ce6800-v300r023c00-cfg"

# file -> (pools [(name, total, used, free, usage_percent)], (pool_no, position, gateway,
#          mask) of the first pool), read from the fixture text. Pool detail (`name X`) has no
# ratio, so usage_percent is None there and free is the `idle` column.
POOLS = {
    f"display-ip-pool__{DOC}-cfg__1.txt": (
        [("pool1", 125, 0, 123, None)],
        (1, "Server", "10.1.1.1", "255.255.255.128"),
    ),
    f"display-ip-pool__{DOC}-cfg__10.txt": (
        [("pool2", 98, 0, 98, None)],
        (0, "Local", "10.10.10.2", "255.255.255.0"),
    ),
    f"display-ip-pool__{DOC}-cfg__12.txt": (
        [("pool2", 98, 0, 98, None)],
        (0, "Local", "10.10.10.2", "255.255.255.0"),
    ),
    # The example prints total 199 but idle 98: kept as printed.
    f"display-ip-pool__{DOC}-cfg__13.txt": (
        [("pool1", 199, 0, 98, None)],
        (0, "Local", "10.82.0.1", "255.255.0.0"),
    ),
    f"display-ip-pool__{DOC}-cfg__2.txt": (
        [("pool2", 125, 0, 125, None)],
        (2, "Server", "10.1.1.129", "255.255.255.128"),
    ),
    # `display ip pool`: statistic block per pool (this example prints Free 0, Ratio 100%).
    f"display-ip-pool__{DOC}-cfg__3.txt": (
        [("pool1", 253, 0, 0, 100.0)],
        (0, "Local", "10.179.180.1", "255.255.255.0"),
    ),
    f"display-ip-pool__{DOC}-cfg__5.txt": (
        [("pool2", 98, 0, 98, None)],
        (0, "Local", "10.10.10.2", "255.255.255.0"),
    ),
    f"display-ip-pool__{DOC}-cfg__6.txt": (
        [("pool2", 98, 0, 98, None)],
        (2, "Local", "10.10.10.2", "255.255.255.0"),
    ),
    f"display-ip-pool__{DOC}-cfg__7.txt": (
        [("pool1", 98, 0, 98, None)],
        (19, "Local", "10.10.10.2", "255.255.255.0"),
    ),
    f"display-ip-pool__{DOC}-cfg__8.txt": (
        [("pool2", 256, 0, 256, None)],
        (0, "Remote", "10.10.10.1", "255.255.255.0"),
    ),
    # Detail without a section table: only `Total Idle : 198` gives a count.
    f"display-ip-pool__{DOC}-cfg__9.txt": (
        [("pool1", None, None, 198, None)],
        (19, "Local", "10.82.0.1", "255.255.255.0"),
    ),
    f"display-ip-pool__{DOC}__1.txt": (
        [("huawei", 4, 0, 4, None)],
        (2, "Local", "10.16.16.1", "255.255.255.0"),
    ),
    f"display-ip-pool__{DOC}__2.txt": (
        [("huawei", 4, 0, 4, None)],
        (2, "Local", "10.16.16.1", "255.255.255.0"),
    ),
    f"display-ip-pool__{DOC}__3.txt": (
        [("jhl", 4, 0, 4, None)],
        (2, "Local", "10.16.16.1", "255.255.255.0"),
    ),
    # Dynamic pool: `ID subnet mask total used idle CFLCT status`, three subnets of 100.
    f"display-ip-pool__{DOC}__5.txt": (
        [("huawei", 300, 0, 300, None)],
        (1, "Dynamic", None, None),
    ),
    # `display ip pool ip-address X`: header and row wrapped by the document.
    f"display-ip-pool__{DOC}__6.txt": (
        [("yj", 99, 0, 99, None)],
        (22, "Server", "10.0.0.1", "255.255.255.0"),
    ),
    f"display-ip-pool__{DOC}__7.txt": (
        [("huawei", 256, 0, 256, None)],
        (96, "Remote", "10.123.1.1", "255.255.255.0"),
    ),
    f"display-ip-pool__{DOC}__8.txt": (
        [("dynamic", 0, 0, 0, 0.0), ("123", 0, 0, 0, 0.0)],
        (0, "Dynamic", None, None),
    ),
    # One address of the section is conflicted: idle 3 of 4.
    f"display-ip-pool__{DOC}__9.txt": (
        [("huawei", 4, 0, 3, None)],
        (0, "Server", "10.1.1.1", "255.255.255.0"),
    ),
    f"display-ip-pool-name__{DOC}__1.txt": (
        [("jhl", 49, 0, 49, None)],
        (6, "Local", "10.1.2.1", "255.255.255.0"),
    ),
    f"display-ip-pool-name__{DOC}__2.txt": (
        [("dl", 22, 0, 0, None)],
        (0, "Local", "10.1.2.2", "255.255.0.0"),
    ),
    f"display-ip-pool-name__{DOC}__3.txt": (
        [("jhl", 49, 0, 49, None)],
        (6, "Local", "10.1.2.1", "255.255.255.0"),
    ),
    f"display-ip-pool-name__{DOC}__4.txt": (
        [("jhl", 49, 0, 49, None)],
        (6, "Local", "10.1.2.1", "255.255.255.0"),
    ),
    f"display-ip-pool-name__{DOC}__5.txt": (
        [("jhl", 49, 0, 49, None)],
        (6, "Local", "10.1.2.1", "255.255.255.0"),
    ),
    f"display-ip-pool-name__{DOC}__6.txt": (
        [("jhl", 49, 0, 49, None)],
        (6, "Local", "10.1.2.1", "255.255.255.0"),
    ),
    # The subnet table after `Subnet info :` is not a section of the pool: not counted.
    f"display-ip-pool-name__{DOC}__7.txt": (
        [("huawei", 4, 0, 4, None)],
        (2, "Server", "10.1.1.1", "255.255.255.0"),
    ),
    f"display-ip-pool-used__{DOC}__1.txt": (
        [("huawei", 4, 0, 4, 0.0), ("test", 9, 0, 9, 0.0)],
        (0, "Local", "10.16.16.1", "255.255.255.0"),
    ),
    # CloudEngine switches: `Pool-name`, `Idle` for free; disabled addresses are neither
    # used nor free (253 = 0 used + 125 idle + 128 disabled).
    f"display-ip-pool__{CE}__1.txt": (
        [("pool1", 253, 0, 125, None)],
        (0, "Local", "10.0.0.1", "255.255.255.0"),
    ),
    f"display-ip-pool-name__{CE}__1.txt": (
        [("pool1", 253, 1, 251, None)],
        (0, "Local", "192.168.1.126", "255.255.255.0"),
    ),
    f"display-ip-pool-interface__{CE}__1.txt": (
        [("Vlanif10", 253, 100, 153, None)],
        (0, "Interface", "10.1.1.1", "255.255.255.0"),
    ),
    # Its option value (`boot\x64\wdsnbp.com`) is free text, not damage.
    f"display-ip-pool-interface__{CE}__2.txt": (
        [("Vlanif10", 253, 1, 251, None)],
        (0, "Interface", "192.168.1.1", "255.255.255.0"),
    ),
}

# `display ip pool name bb client-option 60 reply-option`: option dump, no pool counts.
NOT_POOL_OUTPUT = {f"display-ip-pool__{DOC}__4.txt"}

GROUPS = {
    f"display-ip-pool-group__{DOC}__1.txt": ("ty", 65534, 0, 65534, 0.0, None),
    f"display-ip-pool-group__{DOC}__2.txt": ("god", 65534, 0, 65534, 0.0, None),
    f"display-ip-pool-group__{DOC}__3.txt": ("pg1", 50, 1, 49, 2.0, "test"),
}


def _rows(result: IpPoolList) -> list[tuple]:
    return [(p.name, p.total, p.used, p.free, p.usage_percent) for p in result.pools]


def test_every_pool_fixture_is_covered() -> None:
    slugs = ("display-ip-pool", "display-ip-pool-name", "display-ip-pool-used")
    files = {name for slug in (*slugs, "display-ip-pool-interface") for name in fixtures_for(slug)}
    assert files == set(POOLS) | NOT_POOL_OUTPUT | {VPN_POOL}
    assert set(fixtures_for("display-ip-pool-group")) == set(GROUPS)


@pytest.mark.parametrize("name", sorted(POOLS))
def test_pool_fixture(name: str) -> None:
    rows, first = POOLS[name]
    result = parse_ip_pool(fixture_text(name))
    assert _rows(result) == rows
    pool = result.pools[0]
    assert (pool.pool_no, pool.position, pool.gateway, pool.mask) == first
    assert pool.status == "Unlocked"
    assert pool.vpn_instance is None  # printed as `--`


@pytest.mark.parametrize("name", sorted(NOT_POOL_OUTPUT))
def test_option_dump_is_not_pool_output(name: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_ip_pool(fixture_text(name))
    assert caught.value.line_number == 2
    assert caught.value.line == " Poolname bb  (poolindex 1) :"


def test_pool_listing_summary_and_pool_counts() -> None:
    result = parse_ip_pool(fixture_text(f"display-ip-pool-used__{DOC}__1.txt"))
    assert result.summary is not None
    summary = result.summary
    assert (summary.total, summary.used, summary.free, summary.usage_percent) == (13, 0, 13, 0.0)
    assert result.pool_counts == {"Local": 2, "Remote": 0, "Server": 0}
    # The statistic block's `Gateway :0` is a count, not the gateway address.
    assert result.pools[1].gateway == "10.15.15.1"
    assert result.pools[1].counters["Gateway"] == 0
    assert result.pools[1].counters["Conflicted"] == 0


def test_pool_detail_counters_sum_the_section_table() -> None:
    result = parse_ip_pool(fixture_text(f"display-ip-pool-name__{DOC}__2.txt"))
    counters = result.pools[0].counters
    assert counters["CFLCT"] == 22
    assert counters["Total Idle"] == 0
    # `Lease : 3 Days 0 Hours 0 Minutes` is not a number.
    assert "Lease" not in counters


def test_detail_with_several_sections_adds_them_up() -> None:
    text = """<NE8000> display ip pool name big
  Pool-Name      : big
  Pool-No        : 3
  Position       : Local           Status           : Unlocked
  Gateway        : 10.0.0.1        Mask             : 255.255.0.0
  Vpn instance   : vpn1            Unnumbered gateway: -
  Codes: CFLCT(conflicted)
  ---------------------------------------------------------------------------------------
  ID           start             end total  used  idle CFLCT disable reserved static-bind
  ---------------------------------------------------------------------------------------
   0        10.0.0.2    10.0.127.255 32766  1200 31560     2       4        0           0
   1        10.0.128.0  10.0.255.254 32767    17 32750     0       0        0           0
  ---------------------------------------------------------------------------------------
<NE8000>"""
    (pool,) = parse_ip_pool(text).pools
    assert (pool.total, pool.used, pool.free) == (65533, 1217, 64310)
    assert pool.vpn_instance == "vpn1"
    assert pool.counters["disable"] == 4


def test_box_without_pools() -> None:
    text = """<NE8000> display ip pool
  IP address pool Statistic
    Local       :0          Remote    :0          Server    :0
  IP address Statistic
    Total       :0
    Used        :0          Free      :0
    Ratio       :0%
<NE8000>"""
    result = parse_ip_pool(text)
    assert result.pools == ()
    assert result.pool_counts == {"Local": 0, "Remote": 0, "Server": 0}
    assert result.summary is not None
    assert (result.summary.total, result.summary.used, result.summary.free) == (0, 0, 0)


def test_pool_counts_without_the_pools_they_count_is_an_error() -> None:
    text = "  IP address pool Statistic\n    Local       :2          Remote    :0\n"
    with pytest.raises(ParseError):
        parse_ip_pool(text)


def test_broken_section_row_is_an_error() -> None:
    text = """  Pool-Name      : p
  ---------------------------------------------------------------------------------------
  ID           start             end total  used  idle CFLCT disable reserved static-bind
  ---------------------------------------------------------------------------------------
   0        10.0.0.2    10.0.0.254    x     y     z
"""
    with pytest.raises(ParseError) as caught:
        parse_ip_pool(text)
    assert caught.value.line_number == 5


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_pool_group_fixture(name: str) -> None:
    group_name, total, used, free, ratio, vpn = GROUPS[name]
    (group,) = parse_ip_pool_group(fixture_text(name)).pools
    assert (group.name, group.total, group.used, group.free, group.usage_percent) == (
        group_name,
        total,
        used,
        free,
        ratio,
    )
    assert group.vpn_instance == vpn
    assert group.counters["Bind pool"] == 1


VPN_POOL = f"display-ip-pool-name__{DOC}-cfg__1.txt"


def test_pool_of_a_vpn_instance() -> None:
    (pool,) = parse_output("display ip pool name pool1", fixture_text(VPN_POOL)).pools
    assert (pool.name, pool.vpn_instance, pool.pool_no) == ("pool1", "isp1", 270)
    # Counts from the section table (total/used/idle columns).
    assert (pool.total, pool.used, pool.free) == (199, 0, 199)
    assert pool.counters["Total Idle"] == 199
    assert pool.counters["CFLCT"] == 0


BNG_USAGE = "display-ip-pool-usage__bng-runbook-id__1.txt"
DOC_USAGE = f"display-ip-pool-usage__{DOC}__1.txt"
DOC_USAGE_VPN = f"display-ip-pool-usage__{DOC}__2.txt"
DOC_USAGE_DOMAIN = f"display-ip-pool-usage__{DOC}__3.txt"
DOC_USAGE_THRESHOLD = f"display-ip-pool-usage__{DOC}__4.txt"


def test_every_pool_usage_fixture_is_covered() -> None:
    assert set(fixtures_for("display-ip-pool-usage")) == {
        BNG_USAGE,
        DOC_USAGE,
        DOC_USAGE_VPN,
        DOC_USAGE_DOMAIN,
        DOC_USAGE_THRESHOLD,
    }


@pytest.mark.parametrize(
    ("command", "name", "rows", "total"),
    [
        (
            "display ip-pool pool-usage",
            DOC_USAGE,
            [
                ("default0", 10, 8, None, 80.0),
                ("default1", 0, 0, None, 0.0),
                ("default_admin", 0, 0, None, 0.0),
                ("domain2", 10, 2, None, 20.0),
            ],
            (20, 10, 50.0),
        ),
        (
            "display ip-pool pool-usage vpn-instance",
            DOC_USAGE_VPN,
            [("v4", 65278, 0, None, 0.0)],
            (65278, 0, 0.0),
        ),
        (
            "display ip-pool pool-usage domain huawei",
            DOC_USAGE_DOMAIN,
            [("huawei", 65278, 1, None, 0.0)],
            None,
        ),
        # The threshold mark stays on the name as printed.
        (
            "display ip-pool pool-usage all-threshold",
            DOC_USAGE_THRESHOLD,
            [
                ("Lsh(up)", 10, 9, None, 90.0),
                ("Isp(up)", 10, 9, None, 90.0),
                ("Test(low)", 10, 0, None, 0.0),
            ],
            None,
        ),
    ],
)
def test_documented_pool_usage(
    command: str, name: str, rows: list[tuple], total: tuple | None
) -> None:
    result = parse_output(command, fixture_text(name))
    assert _rows(result) == rows
    summary = result.summary
    got = None if summary is None else (summary.total, summary.used, summary.usage_percent)
    assert got == total
    assert result.warnings == ()


def test_pool_usage_fixture() -> None:
    name = BNG_USAGE
    result = parse_ip_pool_usage(fixture_text(name))
    rows = _rows(result)
    assert len(rows) == 20
    assert rows[0] == ("default0", 0, 0, None, 0.0)
    assert rows[3] == ("ret10m", 8192, 3338, None, 40.0)
    assert rows[-1] == ("2999-test", 256, 0, None, 0.0)
    assert result.summary is not None
    assert (result.summary.total, result.summary.used, result.summary.usage_percent) == (
        84224,
        23540,
        27.0,
    )
    assert parse_output("display ip-pool pool-usage", fixture_text(name)) == result


def test_pool_usage_broken_row_is_a_warning() -> None:
    text = """ Domain name        PoolLen   Used    Ratio
-----------------------------------------------------
 default0           0         0       0%
 ret10m             8192      3338
"""
    result = parse_ip_pool_usage(text)
    assert [pool.name for pool in result.pools] == ["default0"]
    (warning,) = result.warnings
    assert warning.line_number == 4


@pytest.mark.parametrize(
    ("command", "canonical"),
    [
        ("dis ip pool", "display ip pool"),
        ("display ip pool name pool1", "display ip pool name pool1"),
        ("display ip pool name huawei 0", "display ip pool name huawei 0"),
        ("dis ip pool name jhl conflict decline", "display ip pool name jhl conflict decline"),
        ("display ip pool ip-address 10.0.0.2", "display ip pool ip-address 10.0.0.2"),
        ("display ip-pool pool-usage", "display ip-pool pool-usage"),
        ("dis ip pool-group", "display ip pool-group"),
    ],
)
def test_pool_commands_resolve(command: str, canonical: str) -> None:
    assert resolve(command).canonical == canonical


def test_pool_commands_through_the_catalog() -> None:
    listing = parse_output("dis ip pool", fixture_text(f"display-ip-pool__{DOC}__8.txt"))
    assert [pool.name for pool in listing.pools] == ["dynamic", "123"]
    detail = parse_output(
        "display ip pool name jhl idle", fixture_text(f"display-ip-pool-name__{DOC}__4.txt")
    )
    assert (detail.pools[0].total, detail.pools[0].free) == (49, 49)
    group = parse_output(
        "display ip pool-group name pg1 vpn-instance vpn1",
        fixture_text(f"display-ip-pool-group__{DOC}__3.txt"),
    )
    assert group.pools[0].used == 1


@pytest.mark.parametrize("parser", [parse_ip_pool, parse_ip_pool_group, parse_ip_pool_usage])
def test_garbage_is_an_error(parser) -> None:
    with pytest.raises(ParseError) as caught:
        parser("\nsomething else entirely\n")
    assert (caught.value.line, caught.value.line_number) == ("something else entirely", 1)


_SAMPLES = [
    fixture_text(name)
    for name in (
        f"display-ip-pool__{DOC}__9.txt",
        f"display-ip-pool__{DOC}__6.txt",
        f"display-ip-pool__{DOC}__8.txt",
        f"display-ip-pool-name__{DOC}__7.txt",
        f"display-ip-pool-group__{DOC}__2.txt",
        BNG_USAGE,
    )
]


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_parsers_return_a_model_or_raise_parse_error(text: str) -> None:
    for parser in (parse_ip_pool, parse_ip_pool_group, parse_ip_pool_usage):
        try:
            result = parser(text)
        except ParseError:
            continue
        assert isinstance(result, IpPoolList)
        assert result.pools or result.summary is not None or result.pool_counts


def _pool_block(name: str, used_line: str) -> str:
    return f"""  -----------------------------------------------------------------------------
  Pool-Name      : {name}
  Pool-No        : 0
  Position       : Local             Status            : Unlocked
  Gateway        : 100.64.0.1        Mask              : 255.255.224.0
  IP address Statistic
    Total       :8189
{used_line}
    Ratio       :51%
"""


def test_a_damaged_line_repeated_in_two_pools_spoils_each_of_them() -> None:
    """Lines are read once and remembered by their text (most repeat poll after poll), but
    what a line means is decided in its own block: the second pool that prints the same
    damaged line loses its figures as the first did, and a clean pool keeps its own."""
    damaged = "    Used        :41\x0795       Free      :3994"
    clean = "    Used        :4195       Free      :3994"
    text = (
        _pool_block("a", damaged)
        + _pool_block("b", damaged)
        + _pool_block("c", clean)
        + "  -----------------------------------------------------------------------------\n"
    )
    for _ in range(2):  # the second parse reads every line from the memory of the first
        result = parse_ip_pool(text)
        assert [pool.name for pool in result.pools] == ["c"]
        assert (result.pools[0].used, result.pools[0].free) == (4195, 3994)
        assert [warning.line for warning in result.warnings] == [damaged, damaged]


def test_figures_beyond_the_pool_size_are_damage_not_usage() -> None:  # issue 10: implausible
    text = """<NE8000> display ip pool name big
  Pool-Name      : big
  Pool-No        : 3
  Position       : Local           Status           : Unlocked
  Gateway        : 10.0.0.1        Mask             : 255.255.0.0
  ---------------------------------------------------------------------------------------
  ID           start             end total  used  idle CFLCT disable reserved static-bind
  ---------------------------------------------------------------------------------------
   0        10.0.0.2    10.0.127.255 32766 40918 31560     2       4        0           0
  ---------------------------------------------------------------------------------------
<NE8000>"""
    with pytest.raises(ParseError, match="exceeds total"):
        parse_ip_pool(text)
    usage = """ Domain name        PoolLen   Used    Ratio
-----------------------------------------------------
 default0           512       351     68%
 ret10m             8192      9338     14%
"""
    result = parse_ip_pool_usage(usage)
    assert [pool.name for pool in result.pools] == ["default0"]
    (warning,) = result.warnings
    assert "exceeds the pool size" in warning.message
