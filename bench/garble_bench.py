"""Damage the simulator's output with its own garble fault and count what the parsers make of it.

Run from the repository root:
    .venv/bin/python bench/garble_bench.py [--draws N] [--subscribers N] [--quick]

For every command the simulator answers and the catalog parses, the clean output is
rendered once and parsed (the reference); then each draw garbles it in-process with
:func:`app.simulator.faults.garble` (the function the simulator's `garble_rate` fault
uses), at 0.1 % and 0.5 % of characters, and parses the result. Each draw is one of:

* rejected - the parser raised ParseError;
* partial  - the result carries warnings, and every value it does hold equals the clean
  parse (rows it left out are missing, not wrong);
* right    - no warnings and the result equals the clean parse;
* text     - only free text differs (an interface or alarm description): VRP prints any
  character an operator typed there, so a damaged character in it cannot be told apart;
  every other value is right;
* alias    - the damage turned a character into another one that is valid in the same
  place: a state mark into another mark the legend defines (`*down` -> `^down`,
  administratively down read as standby), or a letter of a user name into `@` (user
  names may hold one). That text is a valid output meaning something else, which no
  parser can tell from the real thing, so it is counted apart (and kept visible) rather
  than called right or WRONG;
* WRONG    - a value for a name (a pool, an interface, a domain, a board, a user, ...)
  differs from the clean parse, or a name appears that the clean parse lacks.

Values are compared by name, not by position: a list of pools becomes `pools[name].field`,
so a pool left out is missing and a pool that took another's figures is WRONG.
The script exits 1 when any draw is WRONG.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from app.domain.errors import ParseError
from app.simulator import render
from app.simulator.device import DeviceState
from app.simulator.faults import garble
from app.vrp.catalog import parse_output

RATES = (0.001, 0.005)
DRAWS = 500
OUTCOMES = ("rejected", "partial", "right", "text", "alias", "WRONG")
START = datetime(2026, 11, 27, 23, 30, tzinfo=UTC).timestamp()

# How an item of a list is named, by its model's type.
_IDENTITY = {
    "BriefInterface": "name",
    "InterfaceDetail": "name",
    "DescribedInterface": "name",
    "TrunkMember": "name",
    "IpPool": "name",
    "Domain": "name",
    "Board": "slot",
    "BoardHealth": "slot",
    "AccessUser": "user_id",
    "AccessUserDetail": "user_id",
    "Alarm": "sequence",
    "CpuCore": "name",
    "CpuService": "name",
    "CoreLoad": "name",
    "ProcessMemory": "process_id",
    "SlotUsers": "slot",
}
# Free text: any character an operator (or an access node) can type may be in it.
FREE_TEXT = frozenset({"description"})
_FREE_TEXT_KEYS = ("description", "circuit-id", "remote-id", "access-line-id", "option")


def _free_text(name: str) -> bool:
    """`description`, or a printed label holding free text: `fields{Agent-Circuit-Id}`."""
    if name in FREE_TEXT:
        return True
    key = name.partition("{")[2].lower()
    return any(word in key for word in _FREE_TEXT_KEYS)
# State marks VRP prints in front of `down` (`*down`, `^down`, `#down`) and the flags the
# parsers derive from them.
_MARKS = "*^#"
_MARK_FIELDS = frozenset({"phy", "admin_down", "standby"})


def _became_at(clean: Any, damaged: Any) -> bool:
    """`HWTC1FE68E7D` printed as `HWTC1FE6@E7D`: still a valid user name."""
    if not (isinstance(clean, str) and isinstance(damaged, str)):
        return False
    if "@" in clean or len(clean) != len(damaged):
        return False
    changed = [b for a, b in zip(clean, damaged, strict=True) if a != b]
    return changed == ["@"]


def _mark_swapped(clean: Any, damaged: Any) -> bool:
    """`*down` printed as `^down`: one state mark replaced by another."""
    return (
        isinstance(clean, str)
        and isinstance(damaged, str)
        and len(clean) == len(damaged) > 1
        and clean[0] in _MARKS
        and damaged[0] in _MARKS
        and clean[0] != damaged[0]
        and clean[1:] == damaged[1:]
    )


class _Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def simulated_state(subscribers: int = 150, interfaces: int = 16, seed: int = 2026) -> DeviceState:
    """A simulated BRAS a few minutes into the evening peak, with alarms and shut ports."""
    clock = _Clock(START)
    state = DeviceState(subscribers=subscribers, interfaces=interfaces, seed=seed, clock=clock)
    for _ in range(4):
        clock.now += 30
        state.advance()
    names = [name for name in state.interface_names() if name.startswith("GigabitEthernet0/2/")]
    for name in names[:2]:
        state.set_admin_down(name, True)
    clock.now += 60
    state.advance()
    return state


def simulator_outputs(state: DeviceState) -> dict[str, str]:
    """Command -> the simulator's output for every command the catalog parses."""
    table = state.subscribers
    sessions = table.ordered()
    user = sessions[len(sessions) // 2]
    ip = str(ipaddress.IPv4Address(user.ipv4))
    small = min(
        (name for name in table.domains if table.by_domain.get(name)),
        key=lambda name: table.by_domain[name],
    )
    pool = next(iter(table.pools))
    line_card = next(slot for slot, board in state.boards.items() if board.kind == "LPU")
    return {
        "display cpu-usage": render.render_cpu_usage(state),
        f"display cpu-usage slot {line_card}": render.render_cpu_usage(state, str(line_card)),
        "display memory-usage": render.render_memory_usage(state),
        "display health": render.render_health(state),
        "display version": render.render_version(state),
        "display version slot 9": render.render_version_slot(state, 9),
        "display device": render.render_device(state),
        "display interface": render.render_interface(state),
        "display interface brief": render.render_interface_brief(state),
        "display interface description": render.render_interface_description(state),
        "display access-user": render.render_access_user_overview(state),
        "display access-user online-total": render.render_access_user_online_total(state),
        "display access-user online-total-number": render.render_access_user_online_total(
            state, number=True
        ),
        "display access-user summary": render.render_access_user_summary(state),
        f"display access-user domain {small}": render.render_access_users(state, domain=small),
        f"display access-user domain {small} verbose": render.render_access_user_detail(
            state, domain=small
        ),
        f"display access-user username {user.username} verbose": (
            render.render_access_user_detail(state, username=user.username)
        ),
        f"display access-user ip-address {ip}": render.render_access_user_detail(state, ip=ip),
        f"display access-user mac-address {user.mac}": render.render_access_user_detail(
            state, mac=user.mac
        ),
        "display access-user slot": render.render_access_user_slot(state),
        "display domain": render.render_domain(state),
        "display ip pool": render.render_ip_pool(state),
        f"display ip pool name {pool}": render.render_ip_pool(state, pool),
        "display ip-pool pool-usage": render.render_ip_pool_usage(state),
        "display pppoe statistics": render.render_pppoe_statistics(state),
        f"display pppoe statistics slot {line_card}": render.render_pppoe_statistics(
            state, line_card
        ),
        "display alarm active": render.render_alarm_active(state),
        "display alarm active verbose": render.render_alarm_active(state, verbose=True),
    }


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every leaf, lists keyed by their items' names; warnings skipped."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name == "warnings":
                continue
            yield from flatten(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple | list):
        for position, item in enumerate(value):
            key = _IDENTITY.get(type(item).__name__)
            name = getattr(item, key) if key else position
            yield from flatten(item, f"{path}[{name}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{path}{{{key}}}")
    else:
        yield path, value


def classify(clean: dict[str, Any], result: Any) -> str:
    """The outcome of one parse of damaged text against the clean parse's leaves."""
    partial = bool(getattr(result, "warnings", ()))
    got = dict(flatten(result))
    text_only = False
    differing: dict[str, set[str]] = {}  # item -> fields that differ
    for path, value in got.items():
        if value is None:
            continue  # missing, not wrong
        if path not in clean:
            return "WRONG"  # a name the clean output does not have
        if value != clean[path]:
            item, _, name = path.rpartition(".")
            if _free_text(name):
                text_only = True
                continue
            differing.setdefault(item, set()).add(name)
    for item, names in differing.items():
        phy, user = f"{item}.phy", f"{item}.username"
        if names <= _MARK_FIELDS and _mark_swapped(clean.get(phy), got.get(phy)):
            continue
        if names == {"username"} and _became_at(clean.get(user), got.get(user)):
            continue
        return "WRONG"
    if differing:
        return "alias"
    if partial:
        return "partial"
    if any(got.get(path) is None for path, value in clean.items() if value is not None):
        return "WRONG"  # a value silently lost
    return "text" if text_only else "right"


def run(
    outputs: dict[str, str],
    rates: tuple[float, ...] = RATES,
    draws: int = DRAWS,
    seed: int = 1,
    examples: dict[str, str] | None = None,
) -> dict[tuple[str, float], Counter[str]]:
    """Counts per (command, rate); `examples` receives each command's first WRONG draw."""
    counts: dict[tuple[str, float], Counter[str]] = {}
    rng = random.Random(seed)
    for command, text in outputs.items():
        clean = dict(flatten(parse_output(command, text)))
        for rate in rates:
            tally: Counter[str] = Counter()
            for _ in range(draws):
                damaged = garble(text, rate, rng)
                try:
                    result = parse_output(command, damaged)
                except ParseError:
                    tally["rejected"] += 1
                    continue
                outcome = classify(clean, result)
                tally[outcome] += 1
                if outcome == "WRONG" and examples is not None:
                    examples.setdefault(command, damaged)
            counts[(command, rate)] = tally
    return counts


def _print(counts: dict[tuple[str, float], Counter[str]], rates: tuple[float, ...]) -> int:
    commands = list(dict.fromkeys(command for command, _ in counts))
    width = max(len(command) for command in commands)
    span = len(OUTCOMES) * 8 - 1
    head = "   ".join(f"{f'{rate:.1%} of characters damaged':^{span}}" for rate in rates)
    print(f"{'':<{width}}  {head}")
    cells = "   ".join(" ".join(f"{name:>7}" for name in OUTCOMES) for _ in rates)
    print(f"{'command':<{width}}  {cells}")
    wrong = 0
    for command in commands:
        parts = []
        for rate in rates:
            tally = counts[(command, rate)]
            wrong += tally["WRONG"]
            parts.append(" ".join(f"{tally[name]:>7}" for name in OUTCOMES))
        print(f"{command:<{width}}  {'   '.join(parts)}")
    return wrong


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--draws", type=int, default=DRAWS, help="garbled draws per rate")
    options.add_argument("--quick", action="store_true", help="50 draws, a smaller router")
    options.add_argument("--subscribers", type=int, default=400)
    args = options.parse_args(argv)
    draws = 50 if args.quick else max(1, args.draws)
    state = simulated_state(subscribers=60 if args.quick else args.subscribers, interfaces=24)
    outputs = simulator_outputs(state)
    started = time.perf_counter()
    examples: dict[str, str] = {}
    counts = run(outputs, draws=draws, examples=examples)
    elapsed = time.perf_counter() - started
    print(
        f"{len(outputs)} commands x {len(RATES)} rates x {draws} draws "
        f"({sum(map(len, outputs.values())) / 1e3:.0f} kB of clean output) in {elapsed:.1f} s\n"
    )
    wrong = _print(counts, RATES)
    for command, example in examples.items():
        print(f"\nfirst WRONG draw of {command!r}:\n{example[:2000]}")
    total = sum(tally.total() for tally in counts.values())
    aliases = sum(tally["alias"] for tally in counts.values())
    print(f"\n{'FAILED' if wrong else 'OK'}: {wrong} WRONG, {aliases} alias, of {total} draws")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["classify", "flatten", "run", "simulated_state", "simulator_outputs"]
