"""`serve` over TLS with a seat token: the ready line says https, the certificate's
fingerprint is printed for pinning, and the wall page in headless Chromium loads over https
and goes live over wss (the server speaks nothing else) with `?token=` holding a seat
token made by `ne8000monitor token add`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

from app.tls import client_context
from tests.support.cdp import launch_chromium
from tests.support.cli import cli, environment
from tests.support.serve import launch_serve
from tests.support.tls import make_certificate

pytestmark = pytest.mark.slow


async def test_the_wall_over_https_and_wss_with_a_seat_token(
    chromium: str, tmp_path: Path
) -> None:
    certificate = make_certificate(tmp_path / "tls")
    settings = tmp_path / "collector.toml"
    env = environment(tmp_path)
    status, out, err = await cli(env, "token", "--settings", str(settings), "add", "wall-1")
    assert status == 0, err
    seat_token = out.strip()

    served = await launch_serve(
        tmp_path,
        "--demo",
        "--port",
        "0",
        "--settings",
        str(settings),
        "--tls-cert",
        str(certificate.cert),
        "--tls-key",
        str(certificate.key),
    )
    try:
        assert served.url.startswith("https://127.0.0.1:")
        printed = f"TLS certificate SHA-256 fingerprint {certificate.fingerprint}\n"
        async with asyncio.timeout(30):  # printed right after the ready line
            while printed not in served.stderr:
                await asyncio.sleep(0.05)

        pinned = client_context(fingerprint=certificate.fingerprint)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{served.url}/wall", ssl=pinned) as answer:
                assert answer.status == 401  # the seat token is needed, TLS or not
            async with http.get(
                f"{served.url}/api/router_status", params={"token": seat_token}, ssl=pinned
            ) as answer:
                assert answer.status == 200

        # The certificate is trusted by its public key, as an operator would add an
        # exception for a self-signed collector certificate.
        flags = (f"--ignore-certificate-errors-spki-list={certificate.spki_sha256}",)
        async with launch_chromium(chromium, extra_args=flags) as browser:
            page = await browser.new_page(1920, 1080)
            await page.navigate(f"{served.url}/?token={quote(seat_token, safe='')}&lang=en")
            assert await page.evaluate("location.protocol") == "https:"
            await page.wait_for(
                "NE8000Wall.state.connection === 'live' && /^[0-9][0-9,]*$/.test("
                "document.querySelector('.card .subs-total')?.textContent)",
                timeout=60,
            )
            styled = await page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert styled == "rgb(7, 10, 15)"  # wall.css came over https with the token

        async with aiohttp.ClientSession() as http, http.get(
            f"{served.url}/api/websocket_stats", params={"token": seat_token}, ssl=pinned
        ) as answer:
            stats = await answer.json()
        assert stats["data"]["connections"] >= 1  # the page's wss connection was accepted
    finally:
        assert await served.stop() == 0


async def test_serve_with_half_a_tls_configuration_says_which_key_is_missing(
    tmp_path: Path,
) -> None:
    certificate = make_certificate(tmp_path / "tls")
    status, _, err = await cli(
        environment(tmp_path), "serve", "--demo", "--port", "0",
        "--tls-cert", str(certificate.cert),
    )
    assert status == 2
    assert "[feed] tls_key is missing" in err
    assert "Traceback" not in err
    status, _, err = await cli(
        environment(tmp_path), "serve", "--demo", "--port", "0",
        "--tls-cert", str(certificate.key), "--tls-key", str(certificate.cert),
    )
    assert status == 2
    assert "[feed] tls_cert / tls_key:" in err
    assert "Traceback" not in err
