"""Fault injection for the simulator: the ways a real BRAS session goes wrong.

A :class:`FaultPlan` is plain mutable data shared by every session of one simulator, so a
test (or the ``simulate`` flags) can switch a fault on or off while clients are connected;
each session reads it before every command.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

# Characters line noise turns text into: control-free junk, some outside ASCII.
GARBAGE = "#%&*@~^|\\?!$§¤ÿþ¿½ÆØ¶¦"


@dataclass
class FaultPlan:
    """Faults to inject; every field may be changed at runtime.

    - ``latency_ms``: extra delay before each command's answer.
    - ``hang_commands``: commands (full keywords, e.g. ``"display version"``) that never
      answer; a typed command hangs when its expanded form starts with one of them.
    - ``drop_mid_output``: commands with at least two output lines write half of them,
      then the connection is cut.
    - ``garble_rate``: fraction (0..1) of output characters replaced by junk.
    - ``refuse_auth``: every login is refused, even with the right password.
    - ``change_host_key``: a (re)started simulator generates a new host key instead of
      reusing the stored one.
    - ``ask_password_change``: after login the box warns about the initial password and
      asks ``Change now? [Y/N]:`` until answered N, as VRP does for a fresh account.
    - ``line_writes``: output leaves a line at a time and the echo a keystroke at a time
      (one SSH packet each) instead of in the pieces a router's TCP stream arrives in: the
      hardest case for a client's reader, and the costliest to decrypt.
    - a mass subscriber drop, scheduled with :meth:`schedule_mass_drop` and applied once,
      before the first command at or after its time.
    """

    latency_ms: float = 0.0
    hang_commands: set[str] = field(default_factory=set)
    drop_mid_output: bool = False
    garble_rate: float = 0.0
    refuse_auth: bool = False
    change_host_key: bool = False
    ask_password_change: bool = False
    line_writes: bool = False
    mass_drop_fraction: float | None = None
    mass_drop_at: float = 0.0

    def schedule_mass_drop(self, fraction: float = 0.3, at: float = 0.0) -> None:
        """Drop `fraction` of the subscribers before the first command at clock time >= `at`."""
        if not 0.0 < fraction <= 1.0:
            raise ValueError(f"mass drop fraction must be in (0, 1], not {fraction}")
        self.mass_drop_fraction = fraction
        self.mass_drop_at = at

    def take_mass_drop(self, now: float) -> float | None:
        """The fraction to drop now (once), or None when no drop is due."""
        if self.mass_drop_fraction is None or now < self.mass_drop_at:
            return None
        fraction, self.mass_drop_fraction = self.mass_drop_fraction, None
        return fraction

    def hangs(self, expanded_command: str) -> bool:
        """True when the command (keywords written out in full) must never answer."""
        words = expanded_command.lower().split()
        for pattern in self.hang_commands:
            wanted = pattern.lower().split()
            if wanted and words[: len(wanted)] == wanted:
                return True
        return False


def garble(text: str, rate: float, rng: random.Random | int) -> str:
    """Replace about `rate` of the visible characters of `text` with junk; keep line breaks.

    Each character other than a line break is replaced independently with probability
    `rate`. Line breaks survive so a client still sees where output ends; that is how line
    noise on a real console looks (damaged characters, intact framing).

    `rng` may be a seed, so a test can reproduce one damaged output. The positions are
    drawn by geometric skips (one random draw per damaged character, not per character),
    which gives the same distribution and lets the parsers' property test garble
    thousands of outputs in seconds.
    """
    if rate <= 0.0 or not text:
        return text
    if isinstance(rng, int):
        rng = random.Random(rng)
    if rate >= 1.0:
        return "".join(char if char in "\r\n" else rng.choice(GARBAGE) for char in text)
    log_keep = math.log(1.0 - rate)
    chars = list(text)
    index = -1
    length = len(chars)
    while True:
        # Characters skipped before the next damaged one: geometric with parameter rate.
        index += 1 + int(math.log(1.0 - rng.random()) / log_keep)
        if index >= length:
            break
        if chars[index] not in "\r\n":
            chars[index] = rng.choice(GARBAGE)
    return "".join(chars)
