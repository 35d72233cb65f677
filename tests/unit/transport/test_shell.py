"""VrpShell over a scripted in-memory stream: login, reads, pager, errors, timeouts, order."""

from __future__ import annotations

import asyncio
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import (
    AuthenticationFailed,
    CommandRejected,
    RouterTimeout,
    SessionLost,
    ValidationError,
    VtyLinesFull,
)
from app.domain.router import PromptKind
from app.transport.shell import DISABLE_PAGING, VrpShell
from tests.unit.transport.scripted import FakeRouter, ScriptedStream, vrp_answer

PASSWORD = "S3cret!pw"
TRICKY_OUTPUT = "\n".join(
    [
        "Interface                   PHY   Protocol  InUti OutUti   inErrors  outErrors",
        "<NE8000> is how the log shows the prompt",
        "[~NE8000] 1 > 0 ]",
        "<OTHER-ROUTER>",
        "a > b",
        "]",
        ">",
        "  vlan 100 [description: uplink]",
    ]
)


async def _logged_in(router: FakeRouter, **kwargs: object) -> VrpShell:
    shell = VrpShell(router.stream, router="r1", secrets=(PASSWORD,), **kwargs)  # type: ignore[arg-type]
    router.login()
    await shell.start(timeout=5)
    return shell


async def test_login_learns_hostname_and_disables_paging() -> None:
    router = FakeRouter("<NE8000>")
    shell = await _logged_in(router)
    assert shell.hostname == "NE8000"
    assert shell.is_open
    assert router.stream.lines == [DISABLE_PAGING]
    assert shell.prompt is not None
    assert shell.prompt.kind is PromptKind.USER
    assert "The max number of VTY users is 21." in shell.banner


async def test_login_answers_change_now_with_n_through_the_banner() -> None:
    stream = ScriptedStream()
    shell = VrpShell(stream, router="r1")
    stream.feed(
        "Warning: The initial password poses security risks.\r\n",
        "The password needs to be changed. Change now? [Y/N]:",
    )
    task = asyncio.create_task(shell.start(timeout=5))
    while not stream.lines:
        await asyncio.sleep(0)
    assert stream.lines == ["N"]
    stream._responder = lambda line: vrp_answer(line, "Info: ok", "<BRAS-01>")
    stream.feed("N\r\nInfo: The max number of VTY users is 21.\r\n<BRAS-01>")
    await task
    assert stream.lines == ["N", DISABLE_PAGING]
    assert "Change now? [Y/N]:" in shell.banner
    assert shell.hostname == "BRAS-01"


async def test_login_banner_split_mid_line_and_mid_prompt() -> None:
    router = FakeRouter("<Core Router.01_a-b>")
    shell = VrpShell(router.stream, router="r1")
    router.stream.feed(
        "Info: The max number of VTY",
        " users is 21.\r\n  The current login",
        " time is now.\r\n<Core Ro",
        "uter.01_a-b>",
    )
    await shell.start(timeout=5)
    assert shell.hostname == "Core Router.01_a-b"
    assert "The max number of VTY users is 21." in shell.banner


async def test_login_refused_because_vty_lines_are_full() -> None:
    stream = ScriptedStream()
    shell = VrpShell(stream, router="r1")
    stream.feed("All user interfaces are used, please try later!\r\n")
    stream.end()
    with pytest.raises(VtyLinesFull, match="all VTY lines of the router are in use"):
        await shell.start(timeout=5)
    assert stream.closed
    assert not shell.is_open


async def test_connection_closed_during_login_is_session_lost() -> None:
    stream = ScriptedStream()
    shell = VrpShell(stream, router="r1")
    stream.feed("Info: banner\r\n")
    stream.end()
    with pytest.raises(SessionLost, match="closed the connection during login"):
        await shell.start(timeout=5)
    assert not shell.is_open


async def test_login_without_any_prompt_times_out_and_closes() -> None:
    stream = ScriptedStream()
    shell = VrpShell(stream, router="r1")
    stream.feed("Info: banner without end")
    with pytest.raises(RouterTimeout, match=r"no prompt within 0\.05 s"):
        await shell.start(timeout=0.05)
    assert stream.closed


async def test_telnet_style_login_answers_username_and_password() -> None:
    def respond(line: str) -> list[str]:
        if line == "admin":
            return ["admin\r\nPassword:"]
        if line == PASSWORD:
            return ["\r\nInfo: The max number of VTY users is 5.\r\n<NE8000>"]
        return vrp_answer(line, "Info: ok", "<NE8000>")

    stream = ScriptedStream(respond)
    shell = VrpShell(stream, router="r1", secrets=(PASSWORD,), newline="\r\n")
    stream.feed("\r\nLogin authentication\r\n\r\n\r\nUser", "name:")
    await shell.start(timeout=5, username="admin", password=PASSWORD)
    assert stream.lines == ["admin", PASSWORD, DISABLE_PAGING]
    assert "".join(stream.written).endswith("\r\n")
    assert shell.hostname == "NE8000"


async def test_telnet_style_login_rejected_is_authentication_failed() -> None:
    def respond(line: str) -> list[str]:
        if line == "admin":
            return ["admin\r\nPassword:"]
        return ["\r\nError: Local authentication is rejected.\r\n\r\nUsername:"]

    stream = ScriptedStream(respond)
    shell = VrpShell(stream, router="r1", newline="\r\n")
    stream.feed("Username:")
    with pytest.raises(AuthenticationFailed, match="VRP locks accounts"):
        await shell.start(timeout=5, username="admin", password="wrong")
    assert stream.lines == ["admin", "wrong"]  # never tried a second time
    assert stream.closed


async def test_output_with_brackets_and_foreign_prompts_does_not_end_the_read() -> None:
    router = FakeRouter("<NE8000>", {"display tricky": TRICKY_OUTPUT})
    shell = await _logged_in(router)
    result = await shell.run("display tricky")
    assert result.output == TRICKY_OUTPUT
    assert (result.prompt, result.prompt_kind) == ("<NE8000>", PromptKind.USER)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_any_chunking_of_the_answer_gives_the_same_result(data: st.DataObject) -> None:
    router = FakeRouter("<NE8000>")
    shell = await _logged_in(router)
    router.stream._responder = None  # this test feeds the answer itself
    answer = vrp_answer("display tricky", TRICKY_OUTPUT, "<NE8000>")[0]
    cuts = sorted(data.draw(st.sets(st.integers(1, len(answer) - 1), max_size=12)))
    chunks = [answer[a:b] for a, b in zip([0, *cuts], [*cuts, len(answer)], strict=True)]
    task = asyncio.create_task(shell.run("display tricky"))
    await asyncio.sleep(0)
    router.stream.feed(*chunks)
    result = await task
    assert result.output == TRICKY_OUTPUT
    assert result.prompt == "<NE8000>"


async def test_escape_sequences_and_pager_are_handled_when_paging_is_still_on() -> None:
    page1 = "line 1\r\nline 2 > x\r\n"
    page2 = "line 3 ]\r\nline 4\r\n"

    def respond(line: str) -> list[str]:
        if line == "display long":
            return ["display long\r\n" + page1 + "  ---- More ----"]
        if line == " ":
            raise AssertionError("a space is sent without a line break")
        return vrp_answer(line, "", "<R1>")

    stream = ScriptedStream(respond)
    shell = VrpShell(stream, router="r1")
    stream.feed("<R1>")
    await shell.start(timeout=5, disable_paging=False)
    task = asyncio.create_task(shell.run("display long"))
    while " " not in stream.written:
        await asyncio.sleep(0)
    stream.feed("\x1b[16D                \x1b[16D" + page2 + "\x1b[0m<R1>")
    result = await task
    assert result.output == "line 1\nline 2 > x\nline 3 ]\nline 4"
    assert stream.written.count(" ") == 1


async def test_question_ends_the_read_and_the_answer_returns_to_the_prompt() -> None:
    warning = (
        "Warning: Uncommitted configurations found, commit them before exiting? "
        "[Y(yes)/N(no)/C(cancel)]:"
    )

    def respond(line: str) -> list[str]:
        if line == "return":
            return ["return\r\n" + warning]
        if line == "N":
            return ["N\r\n<R1>"]
        return vrp_answer(line, "", "[*R1-GigabitEthernet0/1/0]")

    stream = ScriptedStream(respond)
    shell = VrpShell(stream, router="r1")
    stream.feed("<R1>")
    await shell.start(timeout=5)
    pending = await shell.run("shutdown")
    assert (pending.prompt_kind, pending.prompt) == (
        PromptKind.PENDING,
        "[*R1-GigabitEthernet0/1/0]",
    )
    asked = await shell.run("return")
    assert (asked.prompt_kind, asked.prompt, asked.output) == (PromptKind.QUESTION, warning, "")
    answered = await shell.run("N")
    assert (answered.prompt_kind, answered.prompt, answered.output) == (
        PromptKind.USER,
        "<R1>",
        "",
    )


async def test_router_error_is_command_rejected_and_the_session_stays_usable() -> None:
    router = FakeRouter("[~R1]", {"display version": "VRP (R) software, Version 8.210"})
    shell = await _logged_in(router)
    with pytest.raises(CommandRejected) as caught:
        await shell.run("display foo")
    assert caught.value.router_message == "Error: Unrecognized command found at '^' position."
    assert "display foo" in str(caught.value)
    assert shell.is_open
    result = await shell.run("display version")
    assert result.output == "VRP (R) software, Version 8.210"


async def test_error_text_deep_in_output_is_output_not_a_rejection() -> None:
    text = "\n".join(["log line 1", "log line 2", "log line 3", "log line 4", "Error: old log"])
    router = FakeRouter("<R1>", {"display logbuffer": text})
    shell = await _logged_in(router)
    assert (await shell.run("display logbuffer")).output == text


async def test_timeout_closes_the_session_and_it_is_never_reused() -> None:
    router = FakeRouter("<R1>")
    shell = await _logged_in(router)
    router.answers["display slow"] = "never sent"
    router.stream._responder = None  # the router stops answering
    with pytest.raises(RouterTimeout, match=r"no prompt within 0\.05 s after 'display slow'"):
        await shell.run("display slow", timeout=0.05)
    assert not shell.is_open
    assert router.stream.closed
    with pytest.raises(SessionLost, match="closed"):
        await shell.run("display version")


async def test_connection_lost_mid_output_is_session_lost() -> None:
    router = FakeRouter("<R1>")
    shell = await _logged_in(router)
    router.stream._responder = lambda line: [line + "\r\nhalf of the out", ""]
    with pytest.raises(SessionLost, match="closed the connection mid-output"):
        await shell.run("display interface")
    assert not shell.is_open
    assert router.stream.closed


async def test_cancelled_read_closes_the_session() -> None:
    router = FakeRouter("<R1>")
    shell = await _logged_in(router)
    router.stream._responder = lambda line: [line + "\r\npartial"]
    task = asyncio.create_task(shell.run("display version"))
    while router.stream.reads < 4:
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not shell.is_open


async def test_concurrent_runs_are_serialised_and_each_gets_its_own_output() -> None:
    in_flight = 0
    most_in_flight = 0
    stream: ScriptedStream

    def respond(line: str) -> list[str]:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)

        async def answer_later() -> None:
            nonlocal in_flight
            await asyncio.sleep(0.01)
            in_flight -= 1
            stream.feed(*vrp_answer(line, f"output of {line}", "<R1>"))

        asyncio.get_running_loop().create_task(answer_later())
        return []

    stream = ScriptedStream(respond)
    shell = VrpShell(stream, router="r1")
    stream.feed("<R1>")
    await shell.start(timeout=5, disable_paging=False)
    commands = [f"display thing {n}" for n in range(6)]
    results = await asyncio.gather(*(shell.run(command) for command in commands))
    assert [r.output for r in results] == [f"output of {c}" for c in commands]
    assert most_in_flight == 1
    assert stream.lines == commands


async def test_multi_line_or_control_characters_are_refused_before_sending() -> None:
    router = FakeRouter("<R1>")
    shell = await _logged_in(router)
    for bad in ("display version\nreboot", "display version\rreboot", "x\x1b[A", "a\x00", "dis\t"):
        with pytest.raises(ValidationError, match="one line"):
            await shell.run(bad)
    assert router.stream.lines == [DISABLE_PAGING]
    assert shell.is_open


async def test_views_and_vrp5_prompts_are_followed() -> None:
    prompts = {
        "system-view": "[R5]",
        "interface Eth-Trunk1": "[R5-Eth-Trunk1]",
        "quit": "[R5]",
    }
    stream = ScriptedStream(lambda line: vrp_answer(line, "", prompts.get(line, "<R5>")))
    shell = VrpShell(stream, router="r1")
    stream.feed("<R5>")
    await shell.start(timeout=5)
    sub = await shell.run("system-view")
    assert (sub.prompt_kind, sub.prompt) == (PromptKind.SYSTEM, "[R5]")
    view = await shell.run("interface Eth-Trunk1")
    assert (view.prompt_kind, view.prompt) == (PromptKind.SYSTEM, "[R5-Eth-Trunk1]")
    assert shell.prompt is not None
    assert shell.prompt.view == "Eth-Trunk1"


async def test_sysname_change_is_followed_once_committed() -> None:
    prompts = {"sysname NEW-NAME": "[*OLD]", "commit": "[~NEW-NAME]"}
    stream = ScriptedStream(lambda line: vrp_answer(line, "", prompts.get(line, "[~OLD]")))
    shell = VrpShell(stream, router="r1")
    stream.feed("[~OLD]")
    await shell.start(timeout=5)
    staged = await shell.run("sysname NEW-NAME")
    assert (staged.prompt, shell.hostname) == ("[*OLD]", "OLD")
    committed = await shell.run("commit")
    assert (committed.prompt, shell.hostname) == ("[~NEW-NAME]", "NEW-NAME")


async def test_close_is_idempotent_and_interrupts_a_waiting_read() -> None:
    router = FakeRouter("<R1>")
    shell = await _logged_in(router)
    router.stream._responder = None
    task = asyncio.create_task(shell.run("display version"))
    await asyncio.sleep(0)
    await shell.close()
    await shell.close()
    with pytest.raises(SessionLost):
        await task
    assert not shell.is_open


async def test_passwords_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    router = FakeRouter(
        "<R1>",
        {
            f"local-user admin password irreversible-cipher {PASSWORD}": "",
            "display secret": f"the password is {PASSWORD}",
        },
    )
    shell = VrpShell(router.stream, router="r1", secrets=(PASSWORD,))
    router.login(banner=f"Info: Welcome, your password {PASSWORD} expires soon.\r\n")
    await shell.start(timeout=5)
    await shell.run(f"local-user admin password irreversible-cipher {PASSWORD}")
    await shell.run("display secret")
    with pytest.raises(CommandRejected) as caught:
        await shell.run(f"bogus {PASSWORD}")
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in shell.banner
    assert "Welcome, your password ****** expires soon." in shell.banner
    assert caplog.records  # the shell did log (at DEBUG) what it sent
    assert "local-user admin password irreversible-cipher ******" in caplog.text
    assert PASSWORD not in caplog.text


async def test_a_chunk_ending_right_after_a_prompt_lookalike_does_not_end_the_read() -> None:
    router = FakeRouter("<NE8000>")
    shell = await _logged_in(router)
    router.stream._responder = None
    task = asyncio.create_task(shell.run("display logbuffer"))
    await asyncio.sleep(0)
    router.stream.feed(
        "display logbuffer\r\nline 1\r\n<NE8000>", " is in the log\r\nline 3\r\n<NE8000>"
    )
    result = await task
    assert result.output == "line 1\n<NE8000> is in the log\nline 3"


async def test_echo_after_a_reprinted_prompt_is_stripped() -> None:
    router = FakeRouter("<R1>")
    shell = await _logged_in(router)
    router.stream._responder = lambda line: ["<R1>" + line + "\r\nout\r\n<R1>"]
    assert (await shell.run("display clock")).output == "out"
    # No echo at all, and a first line that merely ends like the command: kept.
    router.stream._responder = lambda line: ["X display clock\r\n<R1>"]
    assert (await shell.run("display clock")).output == "X display clock"


def test_vrp_shell_has_the_engines_router_session_shape() -> None:
    import inspect

    from app.engine.ports import RouterSession

    for name in ("run", "close"):
        assert inspect.iscoroutinefunction(getattr(VrpShell, name))
        ours = inspect.signature(getattr(VrpShell, name)).parameters
        theirs = inspect.signature(getattr(RouterSession, name)).parameters
        assert [(p.name, p.kind) for p in ours.values()] == [
            (p.name, p.kind) for p in theirs.values()
        ]
    assert isinstance(VrpShell.is_open, property)
    assert isinstance(VrpShell.hostname, property)
