"""Prometheus federation across sites with the documented files: a site Prometheus scrapes
`serve --demo` with docs/prometheus.yml, a central Prometheus federates it with
docs/prometheus-federation.yml, and the central one answers the site's subscriber figure
with the site's labels."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from tests.integration.feed.test_feed_prometheus import (
    TOKEN,
    WAIT,
    prometheus,
    query,
    scrape_config,
)
from tests.support.cli import ROOT
from tests.support.serve import serving

DOC = ROOT / "docs" / "prometheus-federation.yml"


def federation_config(site: str) -> dict[str, Any]:
    """docs/prometheus-federation.yml pointed at one site Prometheus, every second."""
    config = yaml.safe_load(DOC.read_text())
    config["global"].update(scrape_interval="1s", scrape_timeout="1s")
    (job,) = config["scrape_configs"]
    job["static_configs"][0]["targets"] = [site]
    return config


async def test_a_central_prometheus_federates_a_sites_collector(tmp_path: Path) -> None:
    token_file = tmp_path / "ne8000.token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    (tmp_path / "site").mkdir()
    (tmp_path / "central").mkdir()
    args = ("--demo", "--port", "0", "--poll-scale", "1", "--token", TOKEN)
    async with (
        serving(tmp_path, *args) as served,
        prometheus(
            tmp_path / "site", scrape_config(served.url.removeprefix("http://"), token_file)
        ) as site,
        prometheus(tmp_path / "central", federation_config(site.removeprefix("http://"))) as noc,
        aiohttp.ClientSession() as http,
    ):
        async with asyncio.timeout(WAIT):
            while True:
                local = await query(http, site, "ne8000_subscribers_online")
                central = await query(http, noc, "ne8000_subscribers_online")
                if local and central and local[0]["value"][1] == central[0]["value"][1]:
                    break
                await asyncio.sleep(0.5)
        (sample,) = central
        labels = sample["metric"]
        assert labels["router"] == "demo"
        assert labels["site"] == "sao-paulo"  # the site's label, kept (honor_labels)
        assert labels["job"] == "ne8000monitor"
        assert float(sample["value"][1]) > 0
        (up,) = await query(http, noc, 'up{job="ne8000-federate"}')
        assert up["value"][1] == "1"
