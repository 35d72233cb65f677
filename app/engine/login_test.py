"""Test login: reach a router the way polling will, before its profile is saved.

The add/edit-router dialog used to check only the host key, so a wrong password was saved
and found out later as a locked-out router. This runs the whole path once: open a session
(the pinned host key checked, the login with the password given), one harmless read
(`display version`, parsed), log out. The result says what happened as a translatable
message (and the English detail), so the dialog can show it and warn before saving a
router that failed it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.domain.errors import NE8000MonitorError
from app.domain.messages import Message, MessageId, message
from app.domain.router import RouterProfile
from app.domain.system import Version
from app.engine.freshness import ErrorCode, classify
from app.engine.messages import error_message
from app.engine.ports import SessionOpener
from app.vrp.catalog import parse_output

_log = logging.getLogger("ne8000monitor.engine.login_test")

TEST_COMMAND = "display version"


@dataclass(frozen=True, slots=True)
class LoginTestResult:
    """What a test login found: passed, or why not (translatable, and the English detail)."""

    passed: bool
    message: Message
    detail: str | None = None  # English technical text (the transport's, the router's)
    code: ErrorCode | None = None  # why it failed (auth_failed, host_key_changed, ...)

    @property
    def wrong_password(self) -> bool:
        return self.code is ErrorCode.AUTH_FAILED


def describe_version(version: object) -> str:
    """`NE8000 M8, VRP V800R021C10SPC600` (what the router says it is)."""
    if not isinstance(version, Version):
        return "?"
    software = version.software_version or version.vrp_version
    return f"{version.model}, {software}" if software else version.model


async def try_login(
    opener: SessionOpener, profile: RouterProfile, password: str
) -> LoginTestResult:
    """Log in to `profile` with `password`, read `display version`, log out.

    Never raises for a router problem: every failure (unreachable, refused login, changed
    host key, no answer, an answer that cannot be read) is a result that says why.
    """
    try:
        session = await opener(profile, password)
    except NE8000MonitorError as error:
        _log.info("test login to %s failed: %s", profile.name, error)
        return _failed(error)
    try:
        answer = await session.run(TEST_COMMAND, timeout=profile.command_timeout)
        version = parse_output(TEST_COMMAND, answer.output)
    except NE8000MonitorError as error:
        _log.info("test login to %s: %s failed: %s", profile.name, TEST_COMMAND, error)
        return _failed(error)
    finally:
        try:
            await session.close()
        except Exception:  # logging out of a test session must not hide its result
            _log.debug("closing the test session to %s failed", profile.name, exc_info=True)
    _log.info("test login to %s passed", profile.name)
    return LoginTestResult(
        True,
        message(
            MessageId.LOGIN_TEST_PASSED,
            user=profile.username,
            version=describe_version(version),
        ),
    )


def _failed(error: NE8000MonitorError) -> LoginTestResult:
    detail = " ".join(str(error).split()) or None
    return LoginTestResult(False, error_message(error), detail, classify(error))
