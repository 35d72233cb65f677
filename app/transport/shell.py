"""The VRP command-line protocol over any text stream: login dialogue, commands, prompts.

:class:`VrpShell` is transport-agnostic — SSH and telnet hand it a :class:`ShellStream` — so
both behave the same and the protocol can be tested over a scripted in-memory stream.
It reads until the router's own prompt fills the open last line (see
:mod:`app.transport.prompts`), answers the pager if paging is still on, strips the echo
and terminal noise, and turns ``Error:`` answers into :class:`CommandRejected`.

A session that timed out, lost its connection or was cancelled mid-read is closed at
once: the rest of the old answer could still arrive and would be taken for the next
command's output, so such a shell is never reused.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Sequence
from typing import Protocol

from app.domain.errors import (
    AuthenticationFailed,
    CommandRejected,
    RouterError,
    RouterTimeout,
    SessionLost,
    ValidationError,
    VtyLinesFull,
)
from app.domain.redaction import redact, redact_command
from app.domain.router import CommandResult
from app.transport import prompts
from app.transport.prompts import Prompt, PromptMatcher

_log = logging.getLogger("ne8000monitor.transport.shell")

DISABLE_PAGING = "screen-length 0 temporary"
VTY_FULL_TEXT = "All user interfaces are used"
# How often the login may ask a question (`Change now? [Y/N]:`) before we give up.
MAX_LOGIN_QUESTIONS = 3
# A prompt only ends a read when nothing follows it within this many seconds: output can
# contain a line that starts like the prompt (`<NE8000> ...` in a log), and a chunk may end
# right after that part. A router at its prompt is silent, so the wait costs ~1 ms/command.
PROMPT_SETTLE = 0.001
# Lines at the top of an answer that may hold the caret line and the Error: message.
ERROR_SCAN_LINES = 4
_CARET_LINE = re.compile(r"^\s*\^\s*$")
_ERROR_LINE = re.compile(r"^\s*Error\s*:", re.IGNORECASE)
_AUTH_REJECTED = re.compile(r"authentication\s+(?:is\s+)?(?:rejected|fail)", re.IGNORECASE)
_SYSNAME = re.compile(r"^\s*sysn(?:a(?:m(?:e)?)?)?\s+(?P<name>\S.*?)\s*$", re.IGNORECASE)
# Any control character: a newline would smuggle a second command in, a TAB would trigger
# VRP's completion and change what runs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ShellStream(Protocol):
    """A bidirectional text channel to the router's CLI (an SSH PTY or a telnet link)."""

    @property
    def is_alive(self) -> bool:
        """False once the underlying connection is known to be gone."""
        ...

    async def read(self) -> str:
        """The next chunk of text; the empty string once the connection ended."""
        ...

    def write(self, text: str) -> None:
        """Send text; raises ConnectionError when the connection is gone."""
        ...

    async def close(self) -> None:
        """Close the connection; safe to call twice, never raises."""
        ...


class VrpShell:
    """One logged-in VRP CLI session; satisfies the engine's ``RouterSession`` protocol.

    Build it around a connected stream, then ``await start()`` to go through the login
    dialogue. ``run()`` may be called from many tasks: commands queue on a lock, one in
    flight per shell, because a VTY is a single serial conversation.
    """

    def __init__(
        self,
        stream: ShellStream,
        *,
        router: str,
        secrets: Sequence[str] = (),
        newline: str = "\n",
        command_timeout: float = 30.0,
        prompt_settle: float = PROMPT_SETTLE,
    ) -> None:
        self._stream = stream
        self.router = router
        self._secrets = tuple(s for s in secrets if s)
        self._newline = newline
        self.command_timeout = command_timeout
        self.prompt_settle = prompt_settle
        self._reading: asyncio.Task[str] | None = None
        self._eof = False
        self._lock = asyncio.Lock()
        self._open = True
        self._matcher: PromptMatcher | None = None
        self._hostname = ""
        self.prompt: Prompt | None = None
        self.banner = ""
        # Set by the SSH opener: the router's SHA256 host-key fingerprint, and whether it
        # was pinned by this very connection (first contact), so the UI can show it.
        self.host_key_fingerprint: str | None = None
        self.new_host_key = False
        # Set by the SSH opener: the cipher and MAC agreed with the router (CPU per packet).
        self.cipher: str | None = None
        self.mac: str | None = None

    # ----- RouterSession ----------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """False once the session broke, timed out or was closed; never reuse it then."""
        return self._open and not self._eof and self._stream.is_alive

    @property
    def hostname(self) -> str:
        """The router's hostname as its prompt shows it; known after :meth:`start`."""
        if not self._hostname:
            raise RuntimeError("the session has not logged in yet")
        return self._hostname

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        """Send one line, read to the next prompt or question, return the clean output.

        Raises CommandRejected for an ``Error:`` answer (the session stays usable);
        RouterTimeout or SessionLost after which the session is closed; ValidationError
        for a line with control characters (nothing is sent).
        """
        if _CONTROL.search(command):
            raise ValidationError("a router command must be one line without control characters")
        if self._matcher is None:
            raise RuntimeError("the session has not logged in yet")
        limit = self.command_timeout if timeout is None else timeout
        async with self._lock:
            if not self.is_open:
                await self.close()
                raise SessionLost("the session is closed", router=self.router)
            shown = redact_command(command, self._secrets)
            _log.debug("%s: sending %r", self.router, shown)
            raw, prompt = await self._guarded(self._exchange(command), limit, shown)
        output = _clean_output(raw, command)
        self._follow_hostname(command, prompt)
        _log.debug(
            "%s: %r answered %d chars, prompt %s", self.router, shown, len(output), prompt.kind
        )
        rejected = _router_error(output)
        if rejected is not None:
            safe = redact(rejected, self._secrets)
            raise CommandRejected(
                f"the router rejected {shown!r}: {safe}", router=self.router, router_message=safe
            )
        return CommandResult(
            command=command, output=output, prompt=prompt.text, prompt_kind=prompt.kind
        )

    async def close(self) -> None:
        """Close the connection; safe to call twice, and while a command is in flight."""
        if self._open:
            self._open = False
            _log.debug("%s: closing session", self.router)
        if self._reading is not None:
            self._reading.cancel()
        await self._stream.close()

    # ----- login ------------------------------------------------------------------------

    async def start(
        self,
        *,
        timeout: float,
        username: str | None = None,
        password: str | None = None,
        disable_paging: bool = True,
    ) -> None:
        """Read through the login dialogue to the first prompt, then switch paging off.

        With `username`/`password` (telnet) it answers ``Username:``/``Password:`` itself;
        over SSH authentication already happened. Answers ``Change now? [Y/N]:`` with N.
        Raises AuthenticationFailed, VtyLinesFull, SessionLost or RouterTimeout, having
        closed the session.
        """
        await self._guarded(self._login(username, password), timeout, "login")
        if disable_paging:
            try:
                await self.run(DISABLE_PAGING, timeout=timeout)
            except CommandRejected as error:
                # Old releases lack `temporary`; the pager handling keeps reads correct.
                _log.warning("%s: paging stays on: %s", self.router, error.router_message)

    async def _login(self, username: str | None, password: str | None) -> None:
        """Answer the login dialogue until the first prompt shows the router's hostname."""
        parts: list[str] = []
        tail = ""
        asked_username = asked_password = questions = 0
        carried: str | None = None
        while True:
            chunk = carried if carried is not None else await self._read_chunk(allow_eof=True)
            carried = None
            tail += chunk
            if "\n" in tail:
                head, _, tail = tail.rpartition("\n")
                parts.append(head + "\n")
                if VTY_FULL_TEXT in head:
                    raise VtyLinesFull(_VTY_MESSAGE, router=self.router)
            if not chunk:
                text = "".join(parts) + tail
                if VTY_FULL_TEXT in text:
                    raise VtyLinesFull(_VTY_MESSAGE, router=self.router)
                if _AUTH_REJECTED.search(text):
                    raise AuthenticationFailed(_AUTH_MESSAGE, router=self.router)
                raise SessionLost(
                    "the router closed the connection during login", router=self.router
                )
            line = prompts.strip_escapes(tail)
            hostname = prompts.learn_hostname(line)
            if hostname is not None and (carried := await self._receive(self.prompt_settle)):
                continue  # more text followed: a banner line, not the prompt
            if hostname is not None:
                self._matcher = PromptMatcher(hostname)
                self._hostname = hostname
                self.prompt = self._matcher.match(line)
                self.banner = redact(prompts.strip_escapes("".join(parts)), self._secrets)
                _log.info("%s: logged in to %s", self.router, hostname)
                _log.debug("%s: login banner: %s", self.router, self.banner.strip())
                return
            if prompts.question(line):
                questions += 1
                if questions > MAX_LOGIN_QUESTIONS:
                    raise SessionLost(
                        f"the router keeps asking {line.strip()!r} after login",
                        router=self.router,
                    )
                _log.info("%s: login asks %r; answering N", self.router, line.strip())
                self._send("N")
            elif username is not None and prompts.USERNAME_PROMPT.search(line):
                asked_username += 1
                if asked_username > 1:
                    raise AuthenticationFailed(_AUTH_MESSAGE, router=self.router)
                self._send(username)
            elif password is not None and prompts.PASSWORD_PROMPT.search(line):
                asked_password += 1
                if asked_password > 1:
                    raise AuthenticationFailed(_AUTH_MESSAGE, router=self.router)
                _log.debug("%s: sending the password", self.router)
                self._send(password)
            else:
                continue  # a banner line still arriving
            parts.append(tail + "\n")
            tail = ""

    # ----- commands ---------------------------------------------------------------------

    async def _exchange(self, command: str) -> tuple[str, Prompt]:
        """Send `command` and read up to the prompt; returns the raw text before the prompt."""
        self._send(command)
        return await self._read_to_prompt()

    async def _read_to_prompt(self) -> tuple[str, Prompt]:
        """Read until the open line is this router's prompt or a question."""
        assert self._matcher is not None
        parts: list[str] = []
        tail = ""
        tail_is_output = False  # the open line already grew too long to be a prompt
        carried: str | None = None
        while True:
            chunk = carried if carried is not None else await self._read_chunk(allow_eof=False)
            carried = None
            tail += chunk
            if "\n" in tail:
                head, _, tail = tail.rpartition("\n")
                parts.append(head + "\n")
                tail_is_output = False
            if tail_is_output or len(tail) > 2 * prompts.MAX_PROMPT_LENGTH:
                parts.append(tail)
                tail, tail_is_output = "", True
                continue
            line = prompts.strip_escapes(tail)
            if prompts.is_pager(line):
                _log.debug("%s: paging is on; asking for the next page", self.router)
                tail = ""
                self._write(" ")
                continue
            prompt = self._matcher.match(line) or prompts.question(line)
            if prompt is None:
                continue
            carried = await self._receive(self.prompt_settle)
            if carried is None or not carried:
                # The router went quiet after it: a real prompt, not the start of an
                # output line that happened to end a chunk.
                self.prompt = prompt
                return "".join(parts), prompt

    async def _read_chunk(self, *, allow_eof: bool) -> str:
        chunk = await self._receive(None)
        if not chunk and not allow_eof:
            raise SessionLost("the router closed the connection mid-output", router=self.router)
        return chunk or ""

    async def _receive(self, wait: float | None) -> str | None:
        """The next chunk ("" at end of stream), or None when `wait` seconds pass first.

        The stream read runs as a task that survives a `wait` running out, so no data is
        lost; it is picked up by the next call.
        """
        if self._eof:
            return ""
        if self._reading is None:
            self._reading = asyncio.ensure_future(self._stream.read())
        reading = self._reading
        done, _ = await asyncio.wait({reading}, timeout=wait)
        if not done:
            return None
        self._reading = None
        if reading.cancelled():  # close() was called while this command waited
            self._eof = True
            raise SessionLost("the session was closed", router=self.router)
        try:
            chunk = reading.result()
        except (ConnectionError, OSError, EOFError) as error:
            self._eof = True
            raise SessionLost(f"connection lost: {error}", router=self.router) from error
        if not chunk:
            self._eof = True
        return chunk

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
        except (ConnectionError, OSError) as error:
            raise SessionLost(f"connection lost: {error}", router=self.router) from error

    def _send(self, line: str) -> None:
        self._write(line + self._newline)

    async def _guarded[T](self, work: Awaitable[T], limit: float, what: str) -> T:
        """Run `work` under `limit` seconds; on any failure close the shell, then re-raise."""
        try:
            async with asyncio.timeout(limit):
                return await work
        except TimeoutError:
            await self.close()
            _log.warning("%s: %s timed out after %g s; session closed", self.router, what, limit)
            raise RouterTimeout(
                f"no prompt within {limit:g} s after {what!r}; the session was closed",
                router=self.router,
            ) from None
        except RouterError:
            await self.close()
            raise
        except BaseException:
            # Cancelled (or a bug) mid-read: what is still in flight would poison the next read.
            await self.close()
            raise

    def _follow_hostname(self, command: str, prompt: Prompt) -> None:
        """Track the hostname: `sysname NEW` shows in the prompt once committed."""
        assert self._matcher is not None
        if prompt.hostname is not None:
            self._hostname = prompt.hostname
        found = _SYSNAME.match(command)
        if found and found.group("name") not in self._matcher.names:
            self._matcher = PromptMatcher(*self._matcher.names, found.group("name"))


_VTY_MESSAGE = (
    f"all VTY lines of the router are in use (it said '{VTY_FULL_TEXT}, please try "
    "later!'); close idle sessions or raise `user-interface maximum-vty`"
)
_AUTH_MESSAGE = (
    "the router rejected the username or password; fix the stored password before "
    "retrying (VRP locks accounts after repeated failures)"
)


def _clean_output(raw: str, command: str) -> str:
    """The command's output: no echo, escapes, pager leftovers or trailing blank lines."""
    text = prompts.strip_escapes(raw)
    if prompts.may_hold_pager_marks(text):
        lines = [prompts.remove_pager_marks(line).rstrip() for line in text.split("\n")]
    else:
        lines = [line.rstrip() for line in text.split("\n")]
    if lines and _is_echo(lines[0], command):
        lines = lines[1:]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _is_echo(line: str, command: str) -> bool:
    """True for the router's echo of `command`, alone or after a re-printed prompt."""
    echoed = " ".join(line.split())
    typed = " ".join(command.split())
    if echoed == typed:
        return True
    if not typed or not echoed.endswith(typed):
        return False
    return prompts.learn_hostname(echoed[: -len(typed)].strip()) is not None


def _router_error(output: str) -> str | None:
    """The router's ``Error: ...`` line when it rejected the command, else None."""
    for line in output.split("\n")[:ERROR_SCAN_LINES]:
        if not line.strip() or _CARET_LINE.match(line):
            continue
        return line.strip() if _ERROR_LINE.match(line) else None
    return None
