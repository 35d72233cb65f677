"""An in-memory terminal channel for driving the simulator's CLI without a network."""

from __future__ import annotations

import asyncio


class ScriptedChannel:
    """Input is fed by the test; everything written is kept in order."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[str] = asyncio.Queue()
        self.chunks: list[str] = []
        self.aborted = False
        self.closed = False

    def feed(self, text: str) -> None:
        self.inbox.put_nowait(text)

    def end(self) -> None:
        """End of input, as when the client disconnects."""
        self.inbox.put_nowait("")

    async def read(self) -> str:
        return await self.inbox.get()

    def write(self, text: str) -> None:
        self.chunks.append(text)

    async def drain(self) -> None:
        await asyncio.sleep(0)

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None:
        self.closed = True

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def take(self) -> str:
        """Output so far, then forget it (to check one command at a time)."""
        text = self.text
        self.chunks.clear()
        return text
