"""A real Prometheus scrapes `serve --demo` with docs/prometheus.yml and answers queries.

The scrape config is the one in docs/, with only the target, the token file and the
intervals changed, so the file users copy is the file that was tested.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from tests.support.cli import ROOT
from tests.support.required import missing_tool
from tests.support.serve import serving

TOKEN = "prom-scrape-token-8c1d"
WAIT = 60.0  # Prometheus starts, scrapes every second; generous on a busy machine
DOC = ROOT / "docs" / "prometheus.yml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrape_config(target: str, token_file: Path) -> dict[str, Any]:
    """docs/prometheus.yml pointed at `target`, scraping every second."""
    config = yaml.safe_load(DOC.read_text())
    config["global"].update(scrape_interval="1s", scrape_timeout="1s")
    (job,) = config["scrape_configs"]
    job["authorization"]["credentials_file"] = str(token_file)
    job["static_configs"][0]["targets"] = [target]
    return config


@asynccontextmanager
async def prometheus(tmp_path: Path, config: dict[str, Any]) -> AsyncIterator[str]:
    """A real Prometheus on a free loopback port; yields its base URL."""
    binary = shutil.which("prometheus") or "/usr/bin/prometheus"
    if not os.path.exists(binary):
        missing_tool("Prometheus is missing (apt-get install prometheus)")
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config))
    port = free_port()
    log = (tmp_path / "prometheus.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        binary,
        f"--config.file={config_file}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http, asyncio.timeout(WAIT):
            while True:  # until it listens and has loaded its configuration
                try:
                    async with http.get(base + "/-/ready") as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                assert process.returncode is None, (tmp_path / "prometheus.log").read_text()
                await asyncio.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()
        log.close()


async def query(http: aiohttp.ClientSession, base: str, expression: str) -> list[Any]:
    async with http.get(f"{base}/api/v1/query", params={"query": expression}) as answer:
        body = await answer.json()
    assert body["status"] == "success", body
    return body["data"]["result"]


async def online_total(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with http.get(url + "/api/online_total", headers={"X-API-Token": TOKEN}) as answer:
        assert answer.status == 200
        return await answer.json()


async def test_prometheus_scrapes_the_collector_and_reads_the_online_total_back(
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "ne8000.token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    # Subscribers are polled every 15 s here: between two polls the figure holds still, so
    # what Prometheus scraped can be compared exactly with what the API answers.
    args = ("--demo", "--port", "0", "--poll-scale", "1", "--token", TOKEN)
    async with (
        serving(tmp_path, *args) as served,
        prometheus(tmp_path, scrape_config(served.url.removeprefix("http://"), token_file)) as base,
        aiohttp.ClientSession() as http,
    ):
        async with http.get(served.url + "/metrics") as answer:
            assert answer.status == 401  # a token is needed: the bearer credential is used
        async with asyncio.timeout(WAIT):
            while True:
                before = await online_total(http, served.url)
                scraped = await query(http, base, "ne8000_subscribers_online")
                stamps = await query(http, base, "timestamp(ne8000_subscribers_online)")
                after = await online_total(http, served.url)
                data = before["data"]
                if (
                    scraped
                    and stamps
                    and data is not None
                    and before["collected_at"] == after["collected_at"]
                    # The scrape came after this poll's answer (a second for the parse).
                    and float(stamps[0]["value"][1]) > data["collected_epoch"] + 1.0
                ):
                    break
                await asyncio.sleep(0.5)
        (sample,) = scraped
        assert sample["metric"]["router"] == "demo"
        assert sample["metric"]["site"] == "sao-paulo"  # the documented config's label
        assert float(sample["value"][1]) == data["total"] > 0
        (up,) = await query(http, base, 'up{job="ne8000monitor"}')
        assert up["value"][1] == "1"
        (section,) = await query(http, base, 'ne8000_section_up{section="online_total"}')
        assert section["value"][1] == "1"
        (ratio,) = await query(http, base, "ne8000_cpu_usage_ratio")
        assert 0 <= float(ratio["value"][1]) <= 1
