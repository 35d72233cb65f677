"""`display domain` against the published example and the row shapes around it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError
from app.domain.subscribers import Domain, DomainList
from app.vrp.catalog import parse_output
from app.vrp.domains import parse_domain
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

FIXTURE = "display-domain__huawei-doc-ne40e-v800r012c10__1.txt"
CX600_TABLE = "display-domain__net-operations-cx600__1.txt"
CX600_DETAIL = "display-domain__net-operations-cx600__2.txt"
DOC_DETAIL = "display-domain__huawei-doc-ne40e-v800r012c10__2.txt"
DOC_HWTACACS = "display-domain__huawei-doc-ne40e-v800r012c10-cfg__1.txt"
DOC_HWTACACS_PLAIN = "display-domain__huawei-doc-ne40e-v800r012c10-cfg__2.txt"


def test_every_fixture_is_covered() -> None:
    assert set(fixtures_for("display-domain")) == {
        FIXTURE,
        CX600_TABLE,
        CX600_DETAIL,
        DOC_DETAIL,
        DOC_HWTACACS,
        DOC_HWTACACS_PLAIN,
    }


def test_live_cx600_table() -> None:
    result = parse_output("display domain", fixture_text(CX600_TABLE))
    assert len(result.domains) == 17
    assert (result.total, result.printed) == (17, 17)
    online = {domain.name: domain.online for domain in result.domains}
    assert online["dom_ipoe_main"] == 7860
    assert online["b2b_gray"] == 117
    assert sum(online.values()) == 8054
    # A name longer than its column pushes the row's cells right; they still read.
    long_name = next(d for d in result.domains if d.name == "dom_ipoe_white_no_auth")
    assert (long_name.online, long_name.access_limit, long_name.car) == (46, 185344, 0)
    assert long_name.columns["RptVSMNum"] == "46"
    assert result.warnings == ()


def test_live_cx600_detail_of_one_domain() -> None:
    result = parse_output("display domain dom_ipoe_main", fixture_text(CX600_DETAIL))
    (domain,) = result.domains
    assert (domain.name, domain.state, domain.online, domain.access_limit) == (
        "dom_ipoe_main",
        "Active",
        7863,
        185344,
    )
    assert domain.columns["Primary-DNS-IP-address"] == "8.8.8.8"
    assert domain.columns["Web-URL"] == "http://192.0.2.254/"
    assert (result.total, result.printed) == (None, None)


@pytest.mark.parametrize(
    ("name", "command", "expected"),
    [
        (DOC_DETAIL, "display domain isp1", ("isp1", "Active", 0, 1045504)),
        # `User-access-limit : No` is no limit (None), not zero.
        (DOC_HWTACACS, "display domain huawei", ("huawei", "Active", 0, None)),
        (DOC_HWTACACS_PLAIN, "display domain", ("huawei", "Active", 0, None)),
    ],
)
def test_documented_detail_blocks(name: str, command: str, expected: tuple[object, ...]) -> None:
    (domain,) = parse_output(command, fixture_text(name)).domains
    assert (domain.name, domain.state, domain.online, domain.access_limit) == expected


def test_hwtacacs_example_keeps_its_schemes() -> None:
    (domain,) = parse_domain(fixture_text(DOC_HWTACACS)).domains
    assert domain.columns["Authentication-scheme-name"] == "l-h"
    assert domain.columns["HWTACACS-server-template"] == "ht"


def test_domain_fixture() -> None:
    result = parse_domain(fixture_text(FIXTURE))
    assert [domain.name for domain in result.domains] == [
        "default0",
        "default1",
        "default_admin",
        "default",
        "isp1",
    ]
    assert (result.total, result.printed) == (5, 5)
    isp = result.domains[-1]
    assert (isp.state, isp.online, isp.access_limit, isp.car) == ("Active", 0, 1045504, 0)
    assert isp.columns == {
        "State": "Active",
        "CAR": "0",
        "Access-limit": "1045504",
        "Online": "0",
        "BODNum": "0",
        "RptVSMNum": "0",
    }


def test_domain_through_the_catalog() -> None:
    assert parse_output("dis domain", fixture_text(FIXTURE)) == parse_domain(fixture_text(FIXTURE))


def test_busy_box_with_fewer_columns() -> None:
    text = """<NE8000> display domain
  ------------------------------------------------------------------------------
  Domain-name                      State        Access-limit   Online
  ------------------------------------------------------------------------------
  default0                         Active       1045504        0
  fibra.example.com.br             Active       -              18345
  2903-india                       Block        4096           3583
  ------------------------------------------------------------------------------
  Total 3,3 printed
<NE8000>"""
    result = parse_domain(text)
    assert result.domains[1] == Domain(
        name="fibra.example.com.br",
        state="Active",
        online=18345,
        access_limit=None,
        car=None,
        columns={"State": "Active", "Access-limit": "-", "Online": "18345"},
    )
    assert result.domains[2].state == "Block"
    assert (result.total, result.printed) == (3, 3)


def test_header_and_zero_total_is_an_empty_list() -> None:
    text = """  Domain name           State        CAR Access-limit   Online
  ------------------------------------------------------------------------------
  Total 0,0 printed"""
    assert parse_domain(text) == DomainList(domains=(), total=0, printed=0)


def test_header_alone_is_an_error() -> None:
    text = "  Domain name           State        CAR Access-limit   Online\n  -------------\n"
    with pytest.raises(ParseError) as caught:
        parse_domain(text)
    assert caught.value.line_number == 1


@pytest.mark.parametrize(
    ("row", "line_number"),
    [
        ("  isp1                  Active         0       1045504", 3),
        ("  isp1                  Active         0       1045504       many    0         0", 3),
    ],
)
def test_row_that_does_not_fit_is_an_error(row: str, line_number: int) -> None:
    text = (
        "  Domain name           State        CAR Access-limit   Online  BODNum RptVSMNum\n"
        "  -------------------------------------------------------------------------\n"
        f"{row}\n"
        "  Total 1,1 printed\n"
    )
    with pytest.raises(ParseError) as caught:
        parse_domain(text)
    assert (caught.value.line, caught.value.line_number) == (row, line_number)


def test_table_without_online_column_is_an_error() -> None:
    with pytest.raises(ParseError, match="Online"):
        parse_domain("  Domain name           State        CAR\n  isp1  Active  0\n")


def test_garbage_is_an_error() -> None:
    with pytest.raises(ParseError) as caught:
        parse_domain("Info: nothing to see\n")
    assert caught.value.line == "Info: nothing to see"


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random([fixture_text(FIXTURE)]))
def test_parser_returns_a_model_or_raises_parse_error(text: str) -> None:
    try:
        result = parse_domain(text)
    except ParseError:
        return
    assert isinstance(result, DomainList)
    assert result.domains or result.total is not None
