"""Remote requests carry their client (address, seat) into every audit entry they cause."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.engine.audit import AuditClient, AuditLog, acting_for, current_client


def seat_client(seat: str, address: str = "10.0.0.7") -> AuditClient:
    return AuditClient(address=address, via="feed", protocol="http", auth="seat", seat=seat)


async def test_entries_inside_acting_for_carry_it_and_others_do_not(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", user="noc")
    await log.record("r1", ["display version"], "sent")
    with acting_for(seat_client("noc-1")):
        await log.record("r1", ["display clock"], "sent")
        # a task started by the request (the WebSocket command runner) inherits it
        await asyncio.create_task(log.record("r1", ["shutdown"], "refused", detail="no"))
    await log.record("r1", ["display cpu-usage"], "sent")
    entries = log.read()
    seen = [entry["client"] for entry in entries]
    assert seen[0] is None  # the local operator
    assert seen[3] is None
    for client in seen[1:3]:
        assert client == {
            "address": "10.0.0.7",
            "via": "feed",
            "protocol": "http",
            "auth": "seat",
            "seat": "noc-1",
        }
    assert current_client() is None


async def test_concurrent_requests_keep_their_own_client(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", user="noc")

    async def request(seat: str) -> None:
        with acting_for(seat_client(seat, "10.0.0.9")):
            await asyncio.sleep(0)
            await log.record("r1", [f"display {seat}"], "sent")

    await asyncio.gather(*(request(f"seat-{n}") for n in range(5)))
    by_command = {entry["commands"][0]: entry["client"]["seat"] for entry in log.read()}
    assert by_command == {f"display seat-{n}": f"seat-{n}" for n in range(5)}
