"""Client JSON: a nesting limit before decoding, brackets in strings not counted."""

from __future__ import annotations

import pytest

from app.feed.client_json import MAX_DEPTH, ClientJsonError, decode_client_json


def test_ordinary_messages_decode() -> None:
    assert decode_client_json('{"type": "subscribe", "routers": ["a"]}') == {
        "type": "subscribe",
        "routers": ["a"],
    }
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert decode_client_json(nested) is not None  # exactly at the limit is fine


@pytest.mark.parametrize(
    "text",
    [
        "[" * 3000 + "]" * 3000,
        "[" * 100_000,  # unterminated as well
        '{"a": ' * 40 + "1" + "}" * 40,
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    ],
)
def test_deep_nesting_is_a_clear_error(text: str) -> None:
    with pytest.raises(ClientJsonError) as caught:
        decode_client_json(text)
    assert caught.value.code == "too_deep"
    assert str(caught.value) == f"JSON nested deeper than {MAX_DEPTH} levels"


def test_brackets_and_escaped_quotes_inside_strings_are_text() -> None:
    text = '{"s": "' + '[\\"{' * 500 + '"}'
    assert decode_client_json(text) == {"s": '["{' * 500}


def test_not_json() -> None:
    with pytest.raises(ClientJsonError) as caught:
        decode_client_json("{not json")
    assert caught.value.code == "bad_json"
