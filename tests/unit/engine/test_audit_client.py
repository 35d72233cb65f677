"""Remote requests carry their client (address, seat) into every audit entry they cause."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.engine.audit import AuditLog, audit_client, current_client


async def test_entries_inside_audit_client_carry_it_and_others_do_not(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", user="noc")
    await log.record("r1", ["display version"], "sent")
    with audit_client(address="10.0.0.7", seat="noc-1"):
        await log.record("r1", ["display clock"], "sent")
        # a task started by the request (the WebSocket command runner) inherits it
        await asyncio.create_task(log.record("r1", ["shutdown"], "refused", detail="no"))
    await log.record("r1", ["display cpu-usage"], "sent")
    entries = log.read()
    assert [entry.get("client") for entry in entries] == [
        None,
        {"address": "10.0.0.7", "seat": "noc-1"},
        {"address": "10.0.0.7", "seat": "noc-1"},
        None,
    ]
    assert "client" not in entries[0]  # local entries keep their old shape
    assert current_client() is None


async def test_concurrent_requests_keep_their_own_client(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", user="noc")

    async def request(seat: str) -> None:
        with audit_client(address="10.0.0.9", seat=seat):
            await asyncio.sleep(0)
            await log.record("r1", [f"display {seat}"], "sent")

    await asyncio.gather(*(request(f"seat-{n}") for n in range(5)))
    by_command = {entry["commands"][0]: entry["client"]["seat"] for entry in log.read()}
    assert by_command == {f"display seat-{n}": f"seat-{n}" for n in range(5)}
