"""TLS for the feed: the server's context, and a client context that trusts either the
system's CAs or one pinned certificate.

A collector on a NOC LAN usually has a self-signed certificate that no CA vouches for. Its
clients then pin the certificate's SHA-256 fingerprint, which `serve` prints when it starts
(the same value ``openssl x509 -noout -fingerprint -sha256`` shows). The pin is checked
inside the handshake by the context's own SSL object class, so any asyncio client (aiohttp,
websockets) and any blocking socket gets the check just by being handed the context.

Standard library only (``ssl``), so the feed server, the notifiers and a collector client
can all use it; the engine, domain and vrp layers never need it.
"""

from __future__ import annotations

import hashlib
import re
import ssl
from pathlib import Path

from app.domain.errors import NE8000MonitorError

FINGERPRINT_BYTES = 32  # SHA-256
_PREFIXES = ("sha256 fingerprint=", "sha256fingerprint=", "sha256:", "sha256=")
_SEPARATORS = re.compile(r"[\s:]")
_HEX = re.compile(r"[0-9A-Fa-f]{64}")
_PEM_CERTIFICATE = re.compile(
    r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL
)


class TlsConfigError(NE8000MonitorError):
    """A certificate or key cannot be used; the message names the file and what is wrong."""


class PinMismatch(ssl.SSLCertVerificationError):
    """The server's certificate is not the pinned one (a different server, or someone in
    the middle): the handshake is refused."""


# ----- fingerprints -------------------------------------------------------------------------


def format_fingerprint(digest: bytes) -> str:
    """``AB:CD:...``: how OpenSSL and browsers show a certificate fingerprint."""
    return ":".join(f"{byte:02X}" for byte in digest)


def normalise_fingerprint(text: str) -> str:
    """A SHA-256 fingerprint as ``AB:CD:...`` from any common spelling (ValueError if none).

    Accepts 64 hex digits with or without colons or spaces, in any case, optionally after
    ``sha256:`` or OpenSSL's ``SHA256 Fingerprint=``.
    """
    cleaned = text.strip()
    lowered = cleaned.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            cleaned = cleaned[len(prefix) :]
            break
    digits = _SEPARATORS.sub("", cleaned)
    if _HEX.fullmatch(digits) is None:
        raise ValueError(
            "a SHA-256 certificate fingerprint is 64 hexadecimal digits "
            "(AB:CD:... as `serve` prints it)"
        )
    return format_fingerprint(bytes.fromhex(digits))


def fingerprint_of(der: bytes) -> str:
    """The SHA-256 fingerprint of a DER-encoded certificate."""
    return format_fingerprint(hashlib.sha256(der).digest())


def certificate_fingerprint(path: Path) -> str:
    """The fingerprint of the first certificate in a PEM file (the server's own)."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise TlsConfigError(f"{path}: cannot read the certificate: {error}") from None
    found = _PEM_CERTIFICATE.search(text)
    if found is None:
        raise TlsConfigError(f"{path}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it")
    try:
        der = ssl.PEM_cert_to_DER_cert(found.group(0))
    except ValueError as error:
        raise TlsConfigError(f"{path}: the certificate is not valid PEM: {error}") from None
    return fingerprint_of(der)


# ----- the server ---------------------------------------------------------------------------


def _refuse_passphrase() -> str:
    # Without this callback OpenSSL would prompt on the terminal for an encrypted key (and
    # hang a service); an unattended server needs an unencrypted key protected by its mode.
    raise TlsConfigError("the key is encrypted; give an unencrypted key (file mode 0600)")


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The feed's TLS context: TLS 1.2 or newer, with this certificate (chain) and key."""
    for what, path in (("certificate", cert), ("key", key)):
        if not path.is_file():
            raise TlsConfigError(f"{path}: the TLS {what} file does not exist")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key, password=_refuse_passphrase)
    except TlsConfigError as error:
        raise TlsConfigError(f"{key}: {error}") from None
    except ssl.SSLError as error:
        raise TlsConfigError(
            f"{cert} / {key}: not a PEM certificate and its matching private key ({error})"
        ) from None
    except OSError as error:
        raise TlsConfigError(f"{cert} / {key}: cannot read: {error}") from None
    return context


# ----- clients ------------------------------------------------------------------------------


class PinnedContext(ssl.SSLContext):
    """A client context that accepts exactly the certificate whose SHA-256 is `pin`."""

    pin: bytes

    def check_peer(self, der: bytes | None) -> None:
        """Raise :class:`PinMismatch` unless `der` is the pinned certificate."""
        if der is None:
            raise PinMismatch("the server sent no certificate")
        offered = hashlib.sha256(der).digest()
        if offered != self.pin:
            error = PinMismatch(
                f"the server's certificate {format_fingerprint(offered)} is not the pinned "
                f"{format_fingerprint(self.pin)}"
            )
            error.verify_message = "certificate fingerprint mismatch"
            raise error


class _PinnedObject(ssl.SSLObject):
    """asyncio's TLS (aiohttp, websockets): check the pin as the handshake completes."""

    def do_handshake(self) -> None:
        super().do_handshake()
        context = self.context
        assert isinstance(context, PinnedContext)
        context.check_peer(self.getpeercert(binary_form=True))


class _PinnedSocket(ssl.SSLSocket):
    """Blocking sockets (urllib, http.client): the same check."""

    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        context = self.context
        assert isinstance(context, PinnedContext)
        try:
            context.check_peer(self.getpeercert(binary_form=True))
        except PinMismatch:
            self.close()
            raise


def client_context(
    *, fingerprint: str | None = None, cafile: Path | None = None
) -> ssl.SSLContext:
    """The context a feed client connects with.

    Without `fingerprint`: the certificate must chain to the system's CAs (or to `cafile`,
    a private CA) and match the host name, as a browser checks it. With `fingerprint`
    (any spelling :func:`normalise_fingerprint` accepts): exactly that certificate is
    accepted, whoever signed it and whatever names it holds; any other is refused during
    the handshake with :class:`PinMismatch`, before a token or a byte of data is sent.
    """
    if fingerprint is None:
        context = ssl.create_default_context(cafile=cafile)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context
    if cafile is not None:
        raise ValueError("pin a fingerprint or trust a CA file, not both")
    pinned = PinnedContext(ssl.PROTOCOL_TLS_CLIENT)
    pinned.pin = bytes.fromhex(normalise_fingerprint(fingerprint).replace(":", ""))
    pinned.minimum_version = ssl.TLSVersion.TLSv1_2
    # The pin replaces the CA and name checks (a self-signed LAN certificate has neither);
    # the peer still has to send a certificate, and check_peer compares it whole.
    pinned.check_hostname = False
    pinned.verify_mode = ssl.CERT_NONE
    pinned.sslobject_class = _PinnedObject
    pinned.sslsocket_class = _PinnedSocket
    return pinned

