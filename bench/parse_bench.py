"""Benchmark the interface parsers against TextFSM (ntc-templates) on large outputs.

Run from the repository root:
    .venv/bin/python bench/parse_bench.py [--runs N] [--quick] [--profile]

What it does:

1. Builds `display interface` output for 2,000 interfaces from real fixture blocks (names,
   descriptions, rates and 64-bit counters varied per interface), in two flavours:
   * "common": blocks that the ntc-templates `huawei_vrp_display_interface` template can
     read (VRP5 switch/router ports, a VRP8 Eth-Trunk, LoopBack, Vlanif). This is the
     head-to-head text: both parsers get exactly the same string.
   * "ne8000": VRP8 blocks as an NE8000/NE40E prints them (physical ports with transceiver
     and `Link quality grade` lines, sub-interfaces, Eth-Trunks, LoopBack). The TextFSM
     template stops with a State Error on the first VRP8-only line, so on this text only
     our parser is timed; the TextFSM error is reported.
2. Builds `display interface brief` with 5,000 rows (trunks with indented members,
   `(10G)` markers, `*down`, `--` utilisation, squeezed long names).
3. Times each parser (best of N runs, time.perf_counter, garbage collector paused during a
   run as timeit does, process pinned to one CPU where the OS allows it); the two sides
   of a ratio alternate within each round, so a burst of load hits both alike.
4. Checks our results against the generated ground truth (counters, rates, names), and
   against TextFSM on every field both extract; prints a mismatch summary and exits non-zero
   if anything differs or a target is missed.

Targets: `display interface` x 2,000 under 100 ms and at least 5x faster than TextFSM;
`display interface brief` x 5,000 at least 5x faster than TextFSM. `--profile` adds a
cProfile of each of our parsers; `--quick` (2 runs) is a smoke test. The load average is
printed at the start and the end: figures taken on a busy machine are not final.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.vrp.interface_brief import parse_interface_brief
from app.vrp.interface_detail import parse_interface_detail
from app.vrp.text import clean_lines

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_DIR = Path(os.environ.get("NE8000_FIXTURES", REPO_ROOT / "tests" / "fixtures" / "vrp"))
INTERFACE_COUNT = 2_000
BRIEF_ROWS = 5_000
TARGET_MS = 100.0
TARGET_RATIO = 5.0

_HEADER = re.compile(r"^(\s*)(\S+)( current state ?:.*)$")
_RATE = re.compile(r"(Last \d+ seconds (input|output) rate:? *)(\d+)( bits/sec, *)(\d+)")
_COUNTER = re.compile(r"^(\s*(Input|Output): *)(\d+)( (?:bytes|packets), *)(\d+)( (bytes|packets))")
_DESCRIPTION = re.compile(r"^(\s*Description ?:).*$")


@dataclass(frozen=True)
class Template:
    """One fixture block used as a pattern for many generated interfaces."""

    fixture: str
    name: str  # interface name of the block inside the fixture
    weight: int  # share of the generated interfaces


COMMON_TEMPLATES = (
    Template("display-interface__ntc-templates__2.txt", "XGigabitEthernet0/0/1", 45),
    Template("display-interface__ntc-templates__4.txt", "GigabitEthernet0/0/0", 25),
    Template("display-interface__huawei-doc-ne40e-v800r012c10-cfg__16.txt", "Eth-Trunk1", 10),
    Template("display-interface__ntc-templates__2.txt", "LoopBack1", 10),
    Template("display-interface__ntc-templates__2.txt", "Vlanif10", 10),
)
NE8000_TEMPLATES = (
    Template("display-interface__vrp8-router-textfsm-test__1.txt", "GigabitEthernet0/2/5", 40),
    Template(
        "display-interface__huawei-doc-ne40e-v800r012c10-cfg__17.txt", "GigabitEthernet0/1/0", 15
    ),
    Template(
        "display-interface__huawei-doc-ne40e-v800r012c10-cfg__7.txt", "GigabitEthernet0/1/0.1", 20
    ),
    Template("display-interface__huawei-doc-ne40e-v800r012c10-cfg__16.txt", "Eth-Trunk1", 10),
    Template("display-interface__huawei-doc-ne40e-v800r012c10-cfg__13.txt", "Eth-Trunk1", 5),
    Template("display-interface__ntc-templates__2.txt", "LoopBack1", 10),
)


@dataclass
class Expected:
    """Ground truth for one generated interface block."""

    name: str
    description: str
    input_rate_bps: int | None = None
    output_rate_bps: int | None = None
    input_bytes: int | None = None
    input_packets: int | None = None
    output_bytes: int | None = None
    output_packets: int | None = None


def fixture_block(template: Template) -> list[str]:
    """The lines of one interface block (header line up to the next header) in a fixture."""
    lines = clean_lines((FIXTURES_DIR / template.fixture).read_text(encoding="utf-8"))
    start = None
    for index, line in enumerate(lines):
        match = _HEADER.match(line)
        if match and match[2] != "protocol":
            if start is not None:
                return lines[start:index]
            if match[2] == template.name:
                start = index
    if start is None:
        raise LookupError(f"{template.name} not found in {template.fixture}")
    return lines[start:]


def generated_name(template_name: str, index: int) -> str:
    """A unique name of the template's type: `GigabitEthernet1/2/34`, `Eth-Trunk7`..."""
    match = re.match(r"(\d*[A-Za-z-]+)(.*)", template_name)
    if match is None:
        raise ValueError(template_name)
    kind, position = match.groups()
    if "." in position:
        return f"{kind}{index // 1000}/{(index // 100) % 10}/{index % 100}.{index}"
    if "/" in position:
        return f"{kind}{index // 1000}/{(index // 100) % 10}/{index % 100}"
    return f"{kind}{index}"


def vary_block(block: list[str], name: str, rng: random.Random) -> tuple[list[str], Expected]:
    """Copy a block with a new name, description, rates and counters; return the truth."""
    expected = Expected(name=name, description=f"To-CUST-{rng.randrange(10**6):06d} {name}")
    out: list[str] = []
    for line in block:
        header = _HEADER.match(line)
        if header and not out:
            out.append(f"{header[1]}{name}{header[3]}")
            continue
        description = _DESCRIPTION.match(line)
        if description:
            out.append(f"{description[1]}{expected.description}")
            continue
        rate = _RATE.search(line)
        if rate:
            bps, pps = rng.randrange(10**11), rng.randrange(10**7)
            setattr(expected, f"{rate[2].lower()}_rate_bps", bps)
            out.append(f"{line[: rate.start()]}{rate[1]}{bps}{rate[4]}{pps}{line[rate.end() :]}")
            continue
        counter = _COUNTER.match(line)
        if counter:
            octets, packets = rng.randrange(2**64), rng.randrange(2**50)
            direction = counter[2].lower()
            setattr(expected, f"{direction}_bytes", octets)
            setattr(expected, f"{direction}_packets", packets)
            bytes_first = counter[4].strip().startswith("bytes")
            first, second = (octets, packets) if bytes_first else (packets, octets)
            out.append(
                f"{counter[1]}{first}{counter[4]}{second}{counter[6]}{line[counter.end() :]}"
            )
            continue
        out.append(line)
    return out, expected


def build_interface_text(
    templates: tuple[Template, ...] = COMMON_TEMPLATES,
    count: int = INTERFACE_COUNT,
    seed: int = 8000,
) -> tuple[str, list[Expected]]:
    """`display interface` output for `count` interfaces, plus the expected values."""
    rng = random.Random(seed)
    blocks = [(template, fixture_block(template)) for template in templates]
    pool = [entry for entry in blocks for _ in range(entry[0].weight)]
    lines = ["<NE8000>display interface"]
    expected: list[Expected] = []
    for index in range(count):
        template, block = pool[index % len(pool)]
        new_lines, truth = vary_block(block, generated_name(template.name, index), rng)
        lines.extend(new_lines)
        lines.append("")
        expected.append(truth)
    lines.append("<NE8000>")
    return "\n".join(lines) + "\n", expected


BRIEF_LEGEND = """\
PHY: Physical
*down: administratively down
^down: standby
(l): loopback
(s): spoofing
(E): E-Trunk down
(b): BFD down
(B): Bit-error-detection down
(e): ETHOAM down
(d): Dampening Suppressed
InUti/OutUti: input utility/output utility
Interface                   PHY   Protocol  InUti OutUti   inErrors  outErrors"""


@dataclass(frozen=True)
class BriefRow:
    """Ground truth for one generated brief row."""

    name: str
    phy: str
    protocol: str
    in_util: float | None
    out_util: float | None
    in_errors: int
    out_errors: int
    trunk: str | None
    suffix: str


def _brief_line(row: BriefRow) -> str:
    def util(value: float | None) -> str:
        if value is None:
            return "--"
        return "0%" if value == 0 else f"{value:.2f}%"

    indent = "  " if row.trunk else ""
    name = f"{indent}{row.name}{row.suffix}"
    name = name.ljust(27) + " " if len(name) < 28 else name + " "  # long names squeeze
    return (
        f"{name}{row.phy:<6}{row.protocol:<8}{util(row.in_util):>7}{util(row.out_util):>7}"
        f"{row.in_errors:>11}{row.out_errors:>11}"
    )


def build_brief_text(rows: int = BRIEF_ROWS, seed: int = 5000) -> tuple[str, list[BriefRow]]:
    """`display interface brief` with `rows` rows: trunks, members, ports, VLAN interfaces."""
    rng = random.Random(seed)
    truth: list[BriefRow] = []
    trunk = 0
    while len(truth) < rows:
        kind = len(truth) % 10
        util_in, util_out = round(rng.uniform(0, 100), 2), round(rng.uniform(0, 100), 2)
        errors = rng.choice((0, 0, 0, rng.randrange(10**9)))
        if kind == 0 and len(truth) + 3 <= rows:
            trunk += 1
            parent = f"Eth-Trunk{trunk}"
            truth.append(BriefRow(parent, "up", "up", util_in, util_out, errors, 0, None, ""))
            for member in range(2):
                name = f"GigabitEthernet{trunk // 100}/{trunk % 100}/{member + 10}"
                truth.append(BriefRow(name, "up", "up", util_in, util_out, 0, 0, parent, "(10G)"))
        elif kind in (3, 4):
            name = f"GigabitEthernet{len(truth) // 1000}/{(len(truth) // 10) % 100}/{kind}"
            phy = rng.choice(("*down", "down", "^down", "up(l)"))
            truth.append(BriefRow(name, phy, "down", 0.0, 0.0, 0, 0, None, "(100M)"))
        elif kind == 5:
            truth.append(BriefRow(f"Vlanif{len(truth)}", "up", "up(s)", None, None, 0, 0, None, ""))
        else:
            name = f"100GE{len(truth) // 1000}/{(len(truth) // 10) % 100}/{kind}"
            truth.append(BriefRow(name, "up", "up", util_in, util_out, errors, 0, None, ""))
    body = "\n".join(_brief_line(row) for row in truth[:rows])
    return f"<NE8000>display interface brief\n{BRIEF_LEGEND}\n{body}\n<NE8000>\n", truth[:rows]


def best_time(function: Callable[[str], Any], text: str, runs: int) -> tuple[float, Any]:
    """Best wall time in seconds over `runs` calls (gc paused per call, as timeit does)."""
    return best_times([(function, text)], runs)[0]


def best_times(calls: list[tuple[Callable[[str], Any], str]], runs: int) -> list[tuple[float, Any]]:
    """Best wall time of each (function, text) over `runs` rounds, the calls alternating
    within a round: on a shared machine a burst of load then hits both sides of a ratio
    alike instead of one parser's whole series."""
    best = [float("inf")] * len(calls)
    results: list[Any] = [None] * len(calls)
    for _ in range(runs):
        for position, (function, text) in enumerate(calls):
            gc.collect()
            gc.disable()
            try:
                started = time.perf_counter()
                results[position] = function(text)
                elapsed = time.perf_counter() - started
            finally:
                gc.enable()
            best[position] = min(best[position], elapsed)
    return list(zip(best, results, strict=True))


def profile(function: Callable[[str], Any], text: str, top: int = 8) -> None:
    """Print where one call spends its time (cProfile, by own time)."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(function, text)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    for line in lines[start:]:
        print(f"      {line.replace(str(REPO_ROOT) + '/', '')[:110]}")


def textfsm_parser(template_name: str) -> Callable[[str], list[dict[str, Any]]]:
    """A function that runs an ntc-templates TextFSM template over text (records as dicts)."""
    import ntc_templates
    import textfsm

    path = Path(ntc_templates.__file__).parent / "templates" / f"{template_name}.textfsm"
    source = path.read_text(encoding="utf-8")

    def parse(text: str) -> list[dict[str, Any]]:
        import io

        fsm = textfsm.TextFSM(io.StringIO(source))
        rows = fsm.ParseText(text)
        return [dict(zip(fsm.header, row, strict=True)) for row in rows]

    return parse


def _textfsm_input(text: str) -> str:
    """TextFSM gets the same output minus the echo and prompt lines (it has no rule for
    them; our parser drops them itself). The cost of this slicing is not timed."""
    return "\n".join(clean_lines(text)) + "\n"


_IFINDEX = re.compile(r"\s*\(ifindex: *\d+\)")


def compare_detail(ours: Any, theirs: list[dict[str, Any]]) -> Counter[str]:
    """Mismatches per field between our blocks and TextFSM records (same order)."""
    mismatches: Counter[str] = Counter()
    only_ours: Counter[str] = Counter()
    examples: dict[str, str] = {}
    if len(ours.interfaces) != len(theirs):
        mismatches["block count"] += 1
        examples["block count"] = f"ours {len(ours.interfaces)}, textfsm {len(theirs)}"
    for mine, row in zip(ours.interfaces, theirs, strict=False):
        pairs = {
            "name": (mine.name, row["INTERFACE"]),
            "state": (mine.current_state, _IFINDEX.sub("", row["LINK_STATUS"]).strip(" ,.")),
            "protocol": (mine.protocol_state or "", row["PROTOCOL_STATUS"]),
            "description": (mine.description, row["INTERFACE_DESCRIPTION"].strip()),
            "ip address": (mine.internet_address or "", row["IP_ADDRESS"]),
            "mac address": (mine.mac_address or "", row["MAC_ADDRESS"]),
            "last up time": (mine.last_up_time or "", row["LAST_PHYSICAL_UP_TIME"]),
            "last down time": (mine.last_down_time or "", row["LAST_PHYSICAL_DOWN_TIME"]),
            "protocol up time": (
                mine.last_protocol_up_time or "",
                row["LAST_LINE_PROTOCOL_UPTIME"],
            ),
            "trunk members": (
                [member.name for member in mine.trunk_members],
                row["AGGREGATED_INTERFACES"],
            ),
        }
        # TextFSM's MTU column also takes `The Maximum Frame Length` of switch ports (not an
        # MTU) and misses the MTU at the end of a VRP8 `Route Port,Hash arithmetic ...` line:
        # compare where both have one, and count the blocks where only we found it.
        if mine.mtu is not None and row["MTU"]:
            pairs["mtu"] = (str(mine.mtu), row["MTU"])
        elif mine.mtu is not None:
            only_ours["mtu"] += 1
        for field, (left, right) in pairs.items():
            if left != right:
                mismatches[field] += 1
                examples.setdefault(field, f"{mine.name}: ours {left!r} vs textfsm {right!r}")
    for field, example in examples.items():
        print(f"    MISMATCH {field}: {mismatches[field]}x, e.g. {example}")
    for field, count in only_ours.items():
        print(f"    note: {field} found by ours only (TextFSM left it empty) in {count} blocks")
    return mismatches


def check_truth(ours: Any, expected: list[Expected]) -> int:
    """Count our values that differ from the generator's ground truth."""
    wrong = 0
    if len(ours.interfaces) != len(expected):
        print(f"    WRONG block count: {len(ours.interfaces)} != {len(expected)}")
        return 1
    for mine, truth in zip(ours.interfaces, expected, strict=True):
        for field in vars(truth):
            if getattr(mine, field) != getattr(truth, field):
                wrong += 1
                if wrong <= 5:
                    print(
                        f"    WRONG {truth.name}.{field}: {getattr(mine, field)!r} "
                        f"!= {getattr(truth, field)!r}"
                    )
    return wrong


def check_brief(ours: Any, truth: list[BriefRow]) -> int:
    """Count brief rows that differ from the generator's ground truth."""
    wrong = 0
    if len(ours.interfaces) != len(truth):
        print(f"    WRONG brief row count: {len(ours.interfaces)} != {len(truth)}")
        return 1
    for mine, row in zip(ours.interfaces, truth, strict=True):
        got = (
            mine.name,
            mine.phy,
            mine.protocol,
            mine.in_util_percent,
            mine.out_util_percent,
            mine.in_errors,
            mine.out_errors,
            mine.trunk,
        )
        want = (
            row.name,
            row.phy,
            row.protocol,
            row.in_util,
            row.out_util,
            row.in_errors,
            row.out_errors,
            row.trunk,
        )
        if got != want:
            wrong += 1
            if wrong <= 5:
                print(f"    WRONG brief row: {got} != {want}")
    return wrong


def compare_brief(ours: Any, theirs: list[dict[str, Any]]) -> int:
    """Rows where TextFSM's brief template and ours disagree."""

    def util(text: str) -> float | None:
        return None if text == "--" else float(text.rstrip("%"))

    if len(ours.interfaces) != len(theirs):
        print(f"    MISMATCH brief rows: ours {len(ours.interfaces)}, textfsm {len(theirs)}")
        return 1
    wrong = 0
    for mine, row in zip(ours.interfaces, theirs, strict=True):
        theirs_row = (
            re.sub(r"\([^()]*\)$", "", row["INTERFACE"]),
            row["PHY"],
            row["PROTOCOL"],
            util(row["INUTI"]),
            util(row["OUTUTI"]),
            int(row["INERRORS"]),
            int(row["OUTERRORS"]),
        )
        mine_row = (
            mine.name,
            mine.phy,
            mine.protocol,
            mine.in_util_percent,
            mine.out_util_percent,
            mine.in_errors,
            mine.out_errors,
        )
        if mine_row != theirs_row:
            wrong += 1
            if wrong <= 5:
                print(f"    MISMATCH brief: ours {mine_row} vs textfsm {theirs_row}")
    return wrong


def describe_mix(templates: tuple[Template, ...]) -> str:
    """`45% XGigabitEthernet0/0/1 (ntc-templates__2), ...` for the report."""
    total = sum(t.weight for t in templates)
    return ", ".join(
        f"{100 * t.weight // total}% {t.name} ({t.fixture.split('__', 1)[1].removesuffix('.txt')})"
        for t in templates
    )


def _load() -> str:
    """The 1/5/15-minute load average, where the OS reports one."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def pin_to_one_cpu() -> str:
    """Run on a single core so the figures are per-core figures."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity on this OS)"


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=7, help="timed runs per parser (best kept)")
    options.add_argument("--quick", action="store_true", help="2 runs: a smoke test")
    options.add_argument(
        "--profile", action="store_true", help="also print a cProfile of each of our parsers"
    )
    args = options.parse_args(argv)
    runs = 2 if args.quick else max(1, args.runs)
    failures: list[str] = []

    print(
        f"Python {sys.version.split()[0]}, {pin_to_one_cpu()}, best of {runs} runs, "
        f"load average {_load()} (figures on a busy machine are not final)\n"
    )

    common_text, common_truth = build_interface_text(COMMON_TEMPLATES)
    ne_text, ne_truth = build_interface_text(NE8000_TEMPLATES, seed=40)
    brief_text, brief_truth = build_brief_text()
    textfsm_detail = textfsm_parser("huawei_vrp_display_interface")
    textfsm_brief = textfsm_parser("huawei_vrp_display_interface_brief")

    print(
        f"[1] display interface, {INTERFACE_COUNT} interfaces, common text "
        f"({len(common_text) / 1e6:.2f} MB, {common_text.count(chr(10))} lines)"
    )
    print(f"    mix: {describe_mix(COMMON_TEMPLATES)}")
    tfsm_input = _textfsm_input(common_text)
    (ours_s, ours), (tfsm_s, theirs) = best_times(
        [(parse_interface_detail, common_text), (textfsm_detail, tfsm_input)], runs
    )
    ratio = tfsm_s / ours_s
    print(f"    ours     {ours_s * 1e3:8.1f} ms  ({len(ours.interfaces)} interfaces)")
    print(f"    TextFSM  {tfsm_s * 1e3:8.1f} ms  ({len(theirs)} records)")
    print(f"    ratio    {ratio:8.1f}x faster")
    wrong = check_truth(ours, common_truth)
    print(
        f"    ours vs generated truth (names, descriptions, rates, 64-bit counters): "
        f"{'all match' if not wrong else f'{wrong} WRONG'}"
    )
    mismatches = compare_detail(ours, theirs)
    print(
        "    ours vs TextFSM on shared fields (name, state, protocol, description, MTU, "
        "IP, MAC, up/down times, trunk members): "
        + ("all match" if not mismatches else f"{sum(mismatches.values())} MISMATCHES")
    )
    print(
        "    (TextFSM's template extracts no counters or rates, so those are checked "
        "against the generated truth only)"
    )
    if wrong or mismatches:
        failures.append("display interface values")
    if ours_s * 1e3 >= TARGET_MS:
        failures.append(f"display interface took {ours_s * 1e3:.1f} ms (target < {TARGET_MS})")
    if ratio < TARGET_RATIO:
        failures.append(f"only {ratio:.1f}x faster than TextFSM (target >= {TARGET_RATIO}x)")

    print(
        f"\n[2] display interface, {INTERFACE_COUNT} interfaces, NE8000 (VRP8) text "
        f"({len(ne_text) / 1e6:.2f} MB, {ne_text.count(chr(10))} lines)"
    )
    print(f"    mix: {describe_mix(NE8000_TEMPLATES)}")
    ne_s, ne_ours = best_time(parse_interface_detail, ne_text, runs)
    print(f"    ours     {ne_s * 1e3:8.1f} ms  ({len(ne_ours.interfaces)} interfaces)")
    try:
        textfsm_detail(_textfsm_input(ne_text))
        print("    TextFSM  parsed it (unexpected; not compared)")
    except Exception as error:  # textfsm raises its own error types
        message = " ".join(str(error).split())[:110]
        print(f"    TextFSM  cannot parse VRP8 blocks: {type(error).__name__}: {message}")
    wrong = check_truth(ne_ours, ne_truth)
    print(f"    ours vs generated truth: {'all match' if not wrong else f'{wrong} WRONG'}")
    if wrong:
        failures.append("NE8000 display interface values")
    if ne_s * 1e3 >= TARGET_MS:
        failures.append(f"NE8000 display interface took {ne_s * 1e3:.1f} ms")

    print(f"\n[3] display interface brief, {BRIEF_ROWS} rows ({len(brief_text) / 1e6:.2f} MB)")
    (brief_s, brief), (tfsm_brief_s, tfsm_rows) = best_times(
        [(parse_interface_brief, brief_text), (textfsm_brief, _textfsm_input(brief_text))], runs
    )
    brief_ratio = tfsm_brief_s / brief_s
    print(f"    ours     {brief_s * 1e3:8.1f} ms  ({len(brief.interfaces)} rows)")
    print(f"    TextFSM  {tfsm_brief_s * 1e3:8.1f} ms  ({len(tfsm_rows)} rows)")
    print(f"    ratio    {brief_ratio:8.1f}x faster")
    wrong = check_brief(brief, brief_truth)
    disagree = compare_brief(brief, tfsm_rows)
    print(
        f"    ours vs generated truth (incl. trunk membership): "
        f"{'all match' if not wrong else f'{wrong} WRONG'}; ours vs TextFSM: "
        f"{'all match' if not disagree else f'{disagree} MISMATCHES'}"
    )
    if wrong or disagree:
        failures.append("display interface brief values")
    if brief_s * 1e3 >= TARGET_MS:
        failures.append(f"brief took {brief_s * 1e3:.1f} ms")
    if brief_ratio < TARGET_RATIO:
        failures.append(
            f"brief only {brief_ratio:.1f}x faster than TextFSM (target >= {TARGET_RATIO}x)"
        )

    if args.profile:
        print("\n[profile] where our parsers spend their time (one call each, cProfile)")
        for label, function, text in (
            ("display interface, common text", parse_interface_detail, common_text),
            ("display interface, NE8000 text", parse_interface_detail, ne_text),
            ("display interface brief", parse_interface_brief, brief_text),
        ):
            print(f"    {label}:")
            profile(function, text)

    print(f"\nload average at the end: {_load()}")
    print()
    wrong_values = [failure for failure in failures if failure.endswith("values")]
    if failures and args.quick and not wrong_values:
        # A smoke run (CI) checks that the bench runs and every value is right; its
        # figures come from two runs on a shared machine and are not judged.
        print("targets missed in this smoke run (not judged): " + "; ".join(failures))
        return 0
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print(
        f"OK: display interface x{INTERFACE_COUNT} in {ours_s * 1e3:.1f} ms "
        f"(target < {TARGET_MS:.0f} ms), {ratio:.1f}x faster than TextFSM "
        f"(target >= {TARGET_RATIO:.0f}x); brief x{BRIEF_ROWS} in {brief_s * 1e3:.1f} ms, "
        f"{brief_ratio:.1f}x faster than TextFSM (target >= {TARGET_RATIO:.0f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
