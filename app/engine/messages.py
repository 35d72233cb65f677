"""Errors as translatable messages: what the window says about a failure, by its kind.

The transport words its errors in English for logs (`connection to 10.0.0.1:22 refused:
SSH is not listening there ...`); the window needs a sentence it can translate. Every
error the engine meets has a stable code (:func:`app.engine.freshness.classify`), and each
code has a message id here, so the operator reads the reason in their language and the
English text stays available as the technical detail beside it.
"""

from __future__ import annotations

from app.domain.errors import CredentialsUnavailable, PasswordProblem, ValidationError
from app.domain.messages import Message, MessageId, message
from app.engine.freshness import ErrorCode, classify

ERROR_MESSAGES: dict[ErrorCode, MessageId] = {
    ErrorCode.TIMEOUT: MessageId.ERROR_TIMEOUT,
    ErrorCode.UNREACHABLE: MessageId.ERROR_UNREACHABLE,
    ErrorCode.AUTH_FAILED: MessageId.ERROR_AUTH_FAILED,
    ErrorCode.HOST_KEY_CHANGED: MessageId.ERROR_HOST_KEY_CHANGED,
    ErrorCode.KEY_EXCHANGE: MessageId.ERROR_KEY_EXCHANGE,
    ErrorCode.NO_CREDENTIALS: MessageId.ERROR_NO_CREDENTIALS,
    ErrorCode.VTY_FULL: MessageId.ERROR_VTY_FULL,
    ErrorCode.SESSION_LOST: MessageId.ERROR_SESSION_LOST,
    ErrorCode.REJECTED: MessageId.ERROR_REJECTED,
    ErrorCode.PARSE_ERROR: MessageId.ERROR_PARSE_ERROR,
    ErrorCode.UNSUPPORTED: MessageId.ERROR_UNSUPPORTED,
    ErrorCode.RATE_LIMITED: MessageId.ERROR_RATE_LIMITED,
    ErrorCode.ROUTER_ERROR: MessageId.ERROR_ROUTER_ERROR,
    ErrorCode.INTERNAL: MessageId.ERROR_INTERNAL,
    ErrorCode.COLLECTOR_UNREACHABLE: MessageId.ERROR_COLLECTOR_UNREACHABLE,
}

PASSWORD_MESSAGES: dict[PasswordProblem, MessageId] = {
    PasswordProblem.NOT_STORED: MessageId.PASSWORD_NOT_STORED,
    PasswordProblem.SESSION_ONLY: MessageId.PASSWORD_SESSION_ONLY,
    PasswordProblem.KEYRING_FAILED: MessageId.PASSWORD_KEYRING_FAILED,
}


def code_message(code: ErrorCode) -> Message:
    """The reason phrase of an error code (`the router did not answer in time`)."""
    return message(ERROR_MESSAGES[code])


def password_message(problem: PasswordProblem) -> Message:
    """Why a router has no password (`no password is stored for it`, ...)."""
    return message(PASSWORD_MESSAGES[problem])


def error_message(error: BaseException) -> Message:
    """What to tell the operator about `error`: its own message when it carries one,
    why a password is missing, or the phrase of its error code."""
    own = getattr(error, "operator_message", None)
    if isinstance(own, Message):
        return own
    if isinstance(error, CredentialsUnavailable):
        return password_message(error.problem)
    if isinstance(error, ValidationError):
        return message(MessageId.ERROR_VALIDATION)
    return code_message(classify(error))
