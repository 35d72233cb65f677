"""Every message the engine can make reaches the operator in their language.

The engine gives an id and parameters (and an English text for logs and the feed); the UI
holds each id's source text as a literal translate call. These tests keep the two sides
equal and make an id without a complete pt_BR translation (plurals included) fail here.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import string
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from app.domain.alerts import Alert, AlertKind, Severity
from app.domain.errors import PasswordProblem
from app.domain.messages import ENGLISH, Message, MessageId, message
from app.engine.freshness import ErrorCode
from app.engine.messages import ERROR_MESSAGES, PASSWORD_MESSAGES
from app.engine.pool import PoolState
from app.remote.errors import CollectorUnreachable
from app.ui.context import UiContext
from app.ui.i18n import install_translator
from app.ui.live import LiveState
from app.ui.messages import _templates, translate
from app.ui.uistate import UiState
from app.ui.views.state_names import (
    kind_text,
    router_state_text,
    severity_count_text,
    severity_summary,
    severity_text,
    state_text,
)


@pytest.fixture
def portuguese(qapp: QApplication) -> Iterator[None]:
    try:
        install_translator(qapp, "pt_BR")
        yield
    finally:
        install_translator(qapp, "en")
        QLocale.setDefault(QLocale.system())


def _placeholders(message_id: MessageId) -> set[str]:
    english = ENGLISH[message_id]
    forms = english if isinstance(english, tuple) else (english,)
    return {
        name
        for form in forms
        for _text, name, _spec, _conv in string.Formatter().parse(form)
        if name
    }


def _sample(message_id: MessageId, n: int = 2) -> Message:
    """The message with a recognisable text for each parameter (and a count)."""
    params: dict[str, object] = {
        name: f"<{name}>" for name in _placeholders(message_id) if name != "n"
    }
    if "n" in _placeholders(message_id):
        params["n"] = n
    return Message(message_id, params)


def test_every_message_id_has_an_english_text_and_a_window_text() -> None:
    assert set(ENGLISH) == set(MessageId)
    assert set(_templates()) == set(MessageId)


def test_every_error_code_and_password_problem_has_a_message() -> None:
    assert set(ERROR_MESSAGES) == set(ErrorCode)
    assert set(PASSWORD_MESSAGES) == set(PasswordProblem)


@pytest.mark.parametrize("message_id", list(MessageId))
def test_the_window_says_in_english_what_the_engine_says(
    qapp: QApplication, message_id: MessageId
) -> None:
    install_translator(qapp, "en")
    for n in (1, 2):
        sample = _sample(message_id, n)
        assert translate(sample) == sample.english, message_id


@pytest.mark.parametrize("message_id", list(MessageId))
def test_every_message_is_translated_to_portuguese(
    portuguese: None, message_id: MessageId
) -> None:
    for n in (1, 2, 17):
        sample = _sample(message_id, n)
        text = translate(sample)
        assert text != sample.english, f"{message_id} is not translated"
        for name in _placeholders(message_id) - {"n"}:
            assert f"<{name}>" in text, f"{message_id} lost {{{name}}}"
        if sample.count is not None:
            assert re.search(rf"\b{n}\b", text), f"{message_id} lost its count"


def test_plurals_and_numbers_follow_the_language(portuguese: None) -> None:
    cpu = message(MessageId.ALERT_CPU_HIGH, router="bras", percent=97.5, threshold=85.0, n=1)
    assert translate(cpu) == "Uso de CPU em bras está em 97,5% (>= 85% por 1 consulta)"
    three = message(MessageId.ALERT_CPU_HIGH, router="bras", percent=90.0, threshold=85.0, n=3)
    assert translate(three).endswith("por 3 consultas)")
    drop = message(
        MessageId.ALERT_SUBSCRIBER_DROP,
        router="bras",
        percent=31,
        before=25_948,
        after=17_902,
        seconds=120.0,
    )
    assert translate(drop) == (
        "Queda em massa de assinantes em bras: o total online caiu 31% "
        "(25.948 -> 17.902) em 120 s"
    )


def test_english_plurals_read_right(qapp: QApplication) -> None:
    install_translator(qapp, "en")
    one = message(MessageId.ALERT_MEMORY_HIGH, router="r", percent=91.0, threshold=90.0, n=1)
    assert translate(one).endswith("for 1 poll)")
    assert severity_count_text("critical", 1) == "1 critical"
    assert severity_summary({"critical": 1, "major": 0, "minor": 2, "warning": 1}) == (
        "1 critical, 2 minor, 1 warning"
    )


def test_a_nested_reason_is_translated_too(portuguese: None) -> None:
    alert = message(
        MessageId.ALERT_NO_PASSWORD,
        router="bras",
        reason=message(MessageId.PASSWORD_SESSION_ONLY),
    )
    text = translate(alert)
    assert text.startswith("O roteador bras está sem senha: não há chaveiro do sistema")
    timeout = message(
        MessageId.ALERT_UNREACHABLE_REASON, router="bras", reason=message(MessageId.ERROR_TIMEOUT)
    )
    assert translate(timeout) == "Roteador bras inacessível: o roteador não respondeu a tempo"


def test_names_of_kinds_severities_and_states_are_translated(portuguese: None) -> None:
    kinds = {kind: kind_text(kind) for kind in AlertKind}
    assert all(text != str(kind).replace("_", " ") or kind is AlertKind.INTERFACE_DOWN
               for kind, text in kinds.items())
    assert kinds[AlertKind.AUTH_FAILED] == "login recusado"
    assert [severity_text(s) for s in Severity] == ["crítico", "maior", "menor", "aviso"]
    assert [severity_count_text("minor", n) for n in (1, 2)] == ["1 menor", "2 menores"]
    assert state_text(PoolState.CONNECTING) == "conectando"


def test_a_stored_message_of_an_unknown_id_keeps_its_english() -> None:
    record = {
        "id": "x",
        "router": "r",
        "severity": "major",
        "kind": "cpu_high",
        "subject": "cpu",
        "message": "CPU usage on r is 99%",
        "raised_at": "2024-03-01T12:00:00+00:00",
        "operator_message": {"id": "alert.from_a_newer_release", "params": {}},
    }
    alert = Alert.from_dict(record)
    assert alert.operator_message is None
    assert alert.message == "CPU usage on r is 99%"


def test_a_router_whose_collector_is_out_of_reach_is_unknown_not_unreachable(
    portuguese: None,
) -> None:
    """A seat cannot know the routers' state while its collector is away: the router may be
    fine, so it is shown as unknown, in the interface language."""
    away = message(MessageId.ERROR_COLLECTOR_UNREACHABLE)
    assert router_state_text(PoolState.UNREACHABLE, away) == "desconhecido"
    assert router_state_text(PoolState.UNREACHABLE, None) == state_text(PoolState.UNREACHABLE)
    failing = message(MessageId.ERROR_TIMEOUT)  # the router's own problem: its own state
    assert router_state_text(PoolState.UNREACHABLE, failing) == state_text(PoolState.UNREACHABLE)


async def _collector_gone() -> None:
    raise CollectorUnreachable("the collector at https://c:8443 does not answer: refused")


def test_a_failed_background_task_is_reported_in_the_interface_language(
    portuguese: None, qtbot: object
) -> None:
    """What the window reports about a failed load: the reason translated, the technical
    detail (English, as the system gave it) after it."""
    live = LiveState()
    ctx = UiContext(None, live, UiState())  # type: ignore[arg-type]  # not used by spawn
    reported: list[str] = []
    live.error_occurred.connect(reported.append)

    async def run() -> None:
        task = ctx.spawn(_collector_gone(), "Carregando")
        with contextlib.suppress(CollectorUnreachable):
            await task
        await asyncio.sleep(0)

    asyncio.run(run())
    assert reported == [
        "Carregando: coletor inacessível "
        "(the collector at https://c:8443 does not answer: refused)"
    ]
