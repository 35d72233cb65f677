"""Self-signed TLS certificates made on the spot (the `cryptography` package asyncssh needs).

A collector's certificate on a NOC LAN is typically self-signed for its address; these are
the same kind: valid now, for 127.0.0.1 and localhost, written as PEM files mode 0600.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class SelfSigned:
    cert: Path
    key: Path
    fingerprint: str  # AB:CD:... (SHA-256 of the DER certificate)
    spki_sha256: str  # base64 SHA-256 of the public key, for Chromium's SPKI allow-list


def make_certificate(
    directory: Path, name: str = "feed", *, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
) -> SelfSigned:
    """A self-signed certificate and key for `hosts` in `directory` (PEM, mode 0600)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"ne8000monitor {name}")])
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / f"{name}.crt"
    key_path = directory / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    der = certificate.public_bytes(serialization.Encoding.DER)
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return SelfSigned(
        cert=cert_path,
        key=key_path,
        fingerprint=":".join(f"{b:02X}" for b in hashlib.sha256(der).digest()),
        spki_sha256=base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii"),
    )
