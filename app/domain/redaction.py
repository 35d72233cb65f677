"""Keep secrets out of logs, error messages and audit excerpts.

Two kinds of secret reach text the app writes down: values it knows (the router password,
which a careless banner or a typed command may echo back), and values it does not know but
can recognise by position (what follows ``password``, ``cipher``, ``shared-key`` ... in a VRP
command line). :func:`redact` masks both, so any layer can pass text through it before
logging. Pure and stdlib-only, so the engine and the transport share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "******"

# VRP keywords whose next word is a secret: `local-user a password irreversible-cipher X`,
# `radius-server shared-key cipher X`, `snmp-agent community read cipher X`,
# `authentication-key X`, `pre-shared-key X`, `ssh user a password X` ...
# An optional form word (cipher/simple/irreversible-cipher/plain) may sit in between.
_SECRET_KEYWORDS = (
    r"password",
    r"passwd",
    r"cipher",
    r"irreversible-cipher",
    r"simple",
    r"shared-key",
    r"authentication-key",
    r"pre-shared-key",
    r"key-string",
    r"secret",
    r"community(?:\s+(?:read|write))?",
)
_FORM_WORD = r"(?P<form>(?:cipher|simple|irreversible-cipher|plain)\s+)?+"
_KEYWORD_VALUE = re.compile(
    r"(?i)(?<![\w-])(?P<keyword>"
    + "|".join(_SECRET_KEYWORDS)
    + r")(?P<gap>\s+)"
    + _FORM_WORD
    + r"(?P<value>(?!\*{6})\S+)"
)
# `password=...`, `passwd: ...`, `secret = ...` in key/value text (URLs, env dumps, configs).
_ASSIGNMENT = re.compile(
    r"(?i)(?P<key>\b(?:password|passwd|pwd|secret|token)\b\s*[=:]\s*)(?P<value>(?!\*{6})[^\s&;,]+)"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return `text` with every known secret and every ``password=value`` pair masked.

    For free text (banners, router output, error messages). `secrets` are literal values
    such as the router password; the longest is replaced first so a password containing
    another secret is masked whole. Empty strings are ignored.
    """
    if not text:
        return text
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _ASSIGNMENT.sub(lambda m: m.group("key") + MASK, text)


def redact_command(line: str, secrets: Iterable[str] = ()) -> str:
    """Like :func:`redact`, and also mask the word after VRP secret keywords.

    For command lines only: in prose (``The password needs to be changed``) the keyword
    rule would hide ordinary words, while in a command the word after ``password`` or
    ``shared-key cipher`` is always the secret itself.
    """
    return _KEYWORD_VALUE.sub(_mask_keyword_value, redact(line, secrets))


def _mask_keyword_value(match: re.Match[str]) -> str:
    form = match.group("form") or ""
    return f"{match.group('keyword')}{match.group('gap')}{form}{MASK}"
