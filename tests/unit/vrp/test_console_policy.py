"""The console policy: a safe-display allowlist, bounded ping/tracert, configuration displays
an operator-mode privilege (issue 14 item 6)."""

from __future__ import annotations

import pytest

from app.domain.errors import ValidationError
from app.vrp.console_policy import (
    CONFIGURATION_REASON,
    UNLISTED_REASON,
    CommandClass,
    classify_console_line,
)


@pytest.mark.parametrize(
    "line",
    [
        "display version",
        "dis int br",
        "display interface GigabitEthernet0/5/0",
        "disp cpu-usage slot 1 | include CPU",
        "display access-user username cliente123@isp verbose",
        "display access-user online-total",
        "display ip routing-table 10.0.0.0",
        "dis ip pool name pool-a",
        "display alarm active verbose",
        "display bgp peer",
        "display mpls ldp session",
        "DISPLAY VERSION",
    ],
)
def test_safe_displays_are_read_only(line: str) -> None:
    verdict = classify_console_line(line)
    assert verdict.kind is CommandClass.READ_ONLY
    assert verdict.reason is None


@pytest.mark.parametrize(
    "line",
    [
        "display current-configuration",
        "dis cur",  # VRP abbreviations reach the same output
        "display current-configuration | include password",
        "display current-configuration interface GigabitEthernet0/5/0",
        "display saved-configuration",
        "display this",
        "dis th",
        "display configuration candidate",
        "display diagnostic-information",
        "dis c",  # could be current-configuration: treated as it
    ],
)
def test_configuration_displays_are_a_privilege(line: str) -> None:
    verdict = classify_console_line(line)
    assert verdict.kind is CommandClass.PRIVILEGED_DISPLAY
    assert verdict.kind.needs_operator_mode
    assert verdict.reason is not None
    assert CONFIGURATION_REASON in verdict.reason


@pytest.mark.parametrize(
    "line",
    [
        "display snmp-agent community",
        "display local-user",
        "display radius-server configuration template default",
        "display ssh server-info",
        "display history-command",
        "display",
    ],
)
def test_displays_off_the_safe_list_need_operator_mode(line: str) -> None:
    verdict = classify_console_line(line)
    assert verdict.kind is CommandClass.PRIVILEGED_DISPLAY
    assert verdict.reason is not None
    assert UNLISTED_REASON in verdict.reason


@pytest.mark.parametrize(
    ("line", "seconds"),
    [
        ("ping 10.0.0.1", 5 * 2.5),  # VRP's defaults: 5 packets, 2 s timeout, 0.5 s apart
        ("ping -c 3 -s 1400 -t 1000 -m 200 -a 10.0.0.2 10.0.0.1", 3 * 1.2),
        ("ping ip -vpn-instance INTERNET -f -q 8.8.8.8", 12.5),
        ("ping -i GigabitEthernet 0/5/0 -c 1 10.0.0.1", 2.5),
        ("ping -i GE0/5/0 -c 10 bras-2.isp.example", 25.0),
        ("ping ipv6 -c 2 2001:db8::1", 5.0),
        ("tracert 8.8.8.8", 30 * 3 * 5.0),
        ("tracert -a 10.0.0.1 8.8.8.8", 30 * 3 * 5.0),
        ("tracert -f 2 -m 10 -q 1 -w 1000 -vpn-instance INTERNET 8.8.8.8", 9 * 1.0),
    ],
)
def test_bounded_diagnostics(line: str, seconds: float) -> None:
    verdict = classify_console_line(line)
    assert verdict.kind is CommandClass.DIAGNOSTIC
    assert verdict.max_seconds == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ping -c 100000 10.0.0.1", "ping -c 100000: the console allows 1 to 10 packets"),
        ("ping -c 0 10.0.0.1", "ping -c 0: the console allows 1 to 10"),
        ("ping -s 65000 10.0.0.1", "ping -s 65000: the console allows 20 to 1500 bytes"),
        ("ping -t 60000 10.0.0.1", "ping -t 60000: the console allows 1 to 5000 ms"),
        ("ping -m 1 10.0.0.1", "ping -m 1: the console allows 100 to 2000 ms"),  # a flood
        ("ping -range 10.0.0.1", "ping option -range is not allowed from the console"),
        ("ping -c 10.0.0.1", "ping -c needs a whole number, not '10.0.0.1'"),
        ("ping -c 3 -c 4 10.0.0.1", "ping -c is given twice"),
        ("ping -a nowhere 10.0.0.1", "ping -a needs an IPv4 address"),
        ("ping -c 3", "ping needs a destination"),
        ("ping 10.0.0.1 10.0.0.2", "ping takes one destination"),
        ("ping -i Bogus0/1 10.0.0.1", "ping -i needs an interface name"),
        ("tracert -m 255 8.8.8.8", "tracert -m 255: the console allows 1 to 30"),
        ("tracert -q 50 8.8.8.8", "tracert -q 50: the console allows 1 to 3 probes per hop"),
        ("tracert -w 65000 8.8.8.8", "tracert -w 65000: the console allows 1 to 5000 ms"),
        ("tracert -f 20 -m 10 8.8.8.8", "tracert -f 20 is beyond -m 10"),
        ("tracert -s 9000 8.8.8.8", "tracert option -s is not allowed"),
        ("ping 10.0.0.1 | include x", "'|' output filters only follow display commands"),
    ],
)
def test_unbounded_diagnostics_are_refused(line: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        classify_console_line(line)
    assert message in str(caught.value)


@pytest.mark.parametrize("line", ["system-view", "reboot", "save", "reset counters interface"])
def test_anything_else_is_configuration(line: str) -> None:
    verdict = classify_console_line(line)
    assert verdict.kind is CommandClass.CONFIGURATION
    assert verdict.reason == f"{line.split(maxsplit=1)[0]!r} is not a read-only command"
