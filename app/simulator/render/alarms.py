"""`display alarm active [verbose]` in the VRP8 layout (time and description wrapped)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.simulator.alarms import SEVERITY_NAMES
from app.simulator.render._text import join, stamp

if TYPE_CHECKING:
    from app.simulator.device import DeviceState

_TIME_WIDTH = 10  # `2023-12-03` then ` 12:25:17+` then `05:30`
_TEXT_WIDTH = 41  # descriptions are cut hard at this width, mid-word


def _chunks(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def render_alarm_active(state: DeviceState, verbose: bool = False) -> str:
    """Active alarms newest first; `NO alarm` when there is none."""
    alarms = state.alarms.active()
    if not alarms:
        return "NO alarm"
    if verbose:
        return _verbose(state)
    rule = "-" * 80
    lines = ["1:Critical  2:Major  3:Minor  4:Warning", rule,
             "Sequence   AlarmId    Level Date Time  Description                              ",
             rule]
    for alarm in alarms:
        times = _chunks(stamp(state.local(alarm.raised_at)), _TIME_WIDTH)
        texts = _chunks(alarm.description, _TEXT_WIDTH)
        for index in range(max(len(times), len(texts))):
            when = times[index] if index < len(times) else ""
            text = texts[index] if index < len(texts) else ""
            head = (f"{alarm.sequence:<11}{alarm.alarm_id:<11}{alarm.severity:<6}"
                    if index == 0 else " " * 28)
            lines.append(f"{head}{when:<10} {text:<41}".rstrip() if not text else
                         f"{head}{when:<10} {text:<41}")
    lines.append(rule)
    return join(lines)


def _verbose(state: DeviceState) -> str:
    lines: list[str] = []
    for alarm in state.alarms.active():
        severity = SEVERITY_NAMES[alarm.severity]
        lines += [
            f"Sequence    : {alarm.sequence}",
            f"AlarmId     : {alarm.alarm_id:<22}AlarmName : {alarm.name}",
            f"AlarmType   : {alarm.alarm_type:<22}Severity  : {severity:<17}State : active",
            "RootKindFlag: Independent",
            f"StartTime   : {stamp(state.local(alarm.raised_at))}",
            f"Description : {alarm.description}",
            "-" * 80,
        ]
    return join(lines[:-1])
