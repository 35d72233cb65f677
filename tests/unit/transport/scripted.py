"""A scripted in-memory router stream for driving VrpShell without a network.

The test decides exactly which bytes arrive and how they are cut into chunks; every line
the shell writes is recorded and can trigger the next scripted answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

EOF = ""


class ScriptedStream:
    """Satisfies ``ShellStream``: reads come from a queue the test (or a responder) fills."""

    def __init__(self, responder: Callable[[str], Sequence[str]] | None = None) -> None:
        self._inbox: asyncio.Queue[str] = asyncio.Queue()
        self._responder = responder
        self._typed = ""
        self.written: list[str] = []
        self.lines: list[str] = []
        self.closed = False
        self.reads = 0

    @property
    def is_alive(self) -> bool:
        return not self.closed

    def feed(self, *chunks: str) -> None:
        """Queue chunks exactly as given (each is one read)."""
        for chunk in chunks:
            self._inbox.put_nowait(chunk)

    def end(self) -> None:
        """The router closes the connection."""
        self._inbox.put_nowait(EOF)

    async def read(self) -> str:
        self.reads += 1
        return await self._inbox.get()

    def write(self, text: str) -> None:
        if self.closed:
            raise ConnectionError("closed")
        self.written.append(text)
        self._typed += text
        while "\n" in self._typed:
            line, _, self._typed = self._typed.partition("\n")
            line = line.rstrip("\r")
            self.lines.append(line)
            if self._responder is not None:
                self.feed(*self._responder(line))

    async def close(self) -> None:
        self.closed = True
        self._inbox.put_nowait(EOF)


def vrp_answer(line: str, output: str, prompt: str) -> list[str]:
    """What a VRP box writes for one typed line: the echo, the output, then the prompt."""
    body = "".join(text + "\r\n" for text in output.split("\n")) if output else ""
    return [line + "\r\n" + body + prompt]


class FakeRouter:
    """A tiny VRP-like responder: fixed answers per command, any prompt shape."""

    def __init__(self, prompt: str, answers: dict[str, str] | None = None) -> None:
        self.prompt = prompt
        self.answers = {
            "screen-length 0 temporary": "Info: The configuration takes effect on "
            "the current user terminal interface only."
        }
        self.answers.update(answers or {})
        self.stream = ScriptedStream(self.respond)

    def respond(self, line: str) -> list[str]:
        if line not in self.answers:
            return vrp_answer(
                line, "          ^\nError: Unrecognized command found at '^' position.", self.prompt
            )
        return vrp_answer(line, self.answers[line], self.prompt)

    def login(self, banner: str = "Info: The max number of VTY users is 21.\r\n") -> None:
        """Queue the banner and the first prompt."""
        self.stream.feed(banner + self.prompt)
