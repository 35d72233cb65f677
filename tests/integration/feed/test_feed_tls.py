"""The feed over TLS: real handshakes with a self-signed certificate made here, an aiohttp
client and a websockets client over wss, a pinned fingerprint that matches and one that
does not, and the configuration errors an operator can make."""

from __future__ import annotations

import json
import ssl
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
import websockets

from app.engine.settings import FeedSettings
from app.feed.errors import FeedConfigError
from app.feed.server import FeedServer, check_bind
from app.tls import PinMismatch, certificate_fingerprint, client_context, normalise_fingerprint
from tests.integration.feed.conftest import LOCAL, MakeRig
from tests.support.tls import SelfSigned, make_certificate

TOKEN = "tls-tok-51"


@pytest.fixture
def certificate(tmp_path: Path) -> SelfSigned:
    return make_certificate(tmp_path / "tls")


@pytest.fixture
def impostor(tmp_path: Path) -> SelfSigned:
    """Another self-signed certificate for the same names: what a machine in the middle shows."""
    return make_certificate(tmp_path / "impostor", "impostor")


def tls_options(cert: SelfSigned, **extra: object) -> FeedSettings:
    return replace(LOCAL, tls_cert=str(cert.cert), tls_key=str(cert.key), **extra)


async def test_https_and_wss_with_the_pinned_certificate(
    make_rig: MakeRig, certificate: SelfSigned
) -> None:
    rig = await make_rig(options=tls_options(certificate, token=TOKEN), start_monitor=False)
    server = rig.server
    assert server.url == f"https://127.0.0.1:{server.port}"
    assert server.fingerprint == certificate.fingerprint
    pinned = client_context(fingerprint=certificate.fingerprint)

    async with aiohttp.ClientSession() as http:
        async with http.get(
            f"{server.url}/api/online_total", params={"token": TOKEN}, ssl=pinned
        ) as answer:
            assert answer.status == 200
            assert (await answer.json())["success"] is True
        # TLS does not replace the token
        async with http.get(f"{server.url}/api/online_total", ssl=pinned) as answer:
            assert answer.status == 401

    async with websockets.connect(
        f"wss://127.0.0.1:{server.port}/ws/monitor?token={TOKEN}", ssl=pinned
    ) as ws:
        welcome = json.loads(await ws.recv())
        assert welcome["type"] == "welcome"


async def test_a_different_certificate_is_refused_before_anything_is_sent(
    make_rig: MakeRig, certificate: SelfSigned, impostor: SelfSigned
) -> None:
    rig = await make_rig(options=tls_options(certificate, token=TOKEN), start_monitor=False)
    wrong_pin = client_context(fingerprint=impostor.fingerprint)
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientConnectorCertificateError) as raised:
            await http.get(f"{rig.server.url}/api/online_total", params={"token": TOKEN},
                           ssl=wrong_pin)
    assert isinstance(raised.value.certificate_error, PinMismatch)
    assert certificate.fingerprint in str(raised.value.certificate_error)
    assert impostor.fingerprint in str(raised.value.certificate_error)
    with pytest.raises(PinMismatch):
        async with websockets.connect(
            f"wss://127.0.0.1:{rig.server.port}/ws/monitor?token={TOKEN}", ssl=wrong_pin
        ):
            pytest.fail("connected despite the wrong pin")


async def test_without_a_pin_the_certificate_must_chain_to_a_trusted_ca(
    make_rig: MakeRig, certificate: SelfSigned
) -> None:
    rig = await make_rig(options=tls_options(certificate), start_monitor=False)
    url = f"{rig.server.url}/health"
    async with aiohttp.ClientSession() as http:
        # The system CAs never signed a self-signed certificate.
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await http.get(url, ssl=client_context())
        # Trusting it as a (private) CA works, host name checked: 127.0.0.1 is in it.
        async with http.get(url, ssl=client_context(cafile=certificate.cert)) as answer:
            assert answer.status in (200, 503)
        # Plain HTTP to the TLS port gets nowhere.
        with pytest.raises(aiohttp.ClientError):
            await http.get(f"http://127.0.0.1:{rig.server.port}/health")


async def test_half_a_tls_configuration_is_refused_naming_the_key(
    make_rig: MakeRig, certificate: SelfSigned
) -> None:
    with pytest.raises(FeedConfigError, match=r"\[feed\] tls_key is missing"):
        check_bind(replace(LOCAL, tls_cert=str(certificate.cert)))
    with pytest.raises(FeedConfigError, match=r"\[feed\] tls_cert is missing"):
        check_bind(replace(LOCAL, tls_key=str(certificate.key)))
    rig = await make_rig(start_monitor=False)
    swapped = replace(LOCAL, tls_cert=str(certificate.key), tls_key=str(certificate.cert))
    server = FeedServer(rig.monitor, swapped, console=None, version="x")
    with pytest.raises(FeedConfigError, match=r"\[feed\] tls_cert / tls_key: .*not a PEM"):
        await server.start()
    assert server.port is None
    missing = replace(LOCAL, tls_cert=str(certificate.cert) + ".gone", tls_key=str(certificate.key))
    server = FeedServer(rig.monitor, missing, console=None, version="x")
    with pytest.raises(FeedConfigError, match=r"feed\.crt\.gone: the TLS certificate file does"):
        await server.start()


async def test_tls_is_not_a_token_for_a_public_bind(certificate: SelfSigned) -> None:
    with pytest.raises(FeedConfigError, match="without a token"):
        check_bind(tls_options(certificate, host="0.0.0.0"))
    check_bind(tls_options(certificate, host="0.0.0.0", token=TOKEN))


def test_fingerprints_are_read_in_any_common_spelling(certificate: SelfSigned) -> None:
    expected = certificate.fingerprint
    assert certificate_fingerprint(certificate.cert) == expected
    bare = expected.replace(":", "")
    for spelling in (bare, bare.lower(), f"sha256:{bare}", f"SHA256 Fingerprint={expected}",
                     expected.lower(), " ".join(expected.split(":"))):
        assert normalise_fingerprint(spelling) == expected
    for bad in ("", "SHA256:abc", bare[:-1], bare + "00", "zz" * 32):
        with pytest.raises(ValueError, match="64 hexadecimal digits"):
            normalise_fingerprint(bad)


def test_a_pin_and_a_ca_file_do_not_mix(certificate: SelfSigned) -> None:
    with pytest.raises(ValueError, match="not both"):
        client_context(fingerprint=certificate.fingerprint, cafile=certificate.cert)
    assert isinstance(client_context(), ssl.SSLContext)
    assert client_context().verify_mode is ssl.CERT_REQUIRED
