"""A throw-away certificate authority for the stand-in's HTTPS (Vidara's media, §9.12).

The CA and a loopback server certificate are made once per process, with ``cryptography``,
in a private temp folder. Only the tests trust them: ``ca_bundle()`` is the public CA bundle
plus this CA, handed to ``requests`` (the downloader) through ``REQUESTS_CA_BUNDLE`` by the
test fixtures and ``tests.harness.fakesite_env``; the app's TLS verification stays on.
"""

from __future__ import annotations

import atexit
import datetime
import ipaddress
import shutil
import ssl
import tempfile
import threading
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Names the hoster server answers under (see tests/hosters: mirrors on 127.0.0.2/3).
DNS_NAMES = ("localhost", "*.localhost")
IP_NAMES = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "::1")
ENV = "REQUESTS_CA_BUNDLE"

_lock = threading.Lock()
_folder: Path | None = None


def ca_bundle() -> str:
    """Path of a PEM bundle: the public CAs (certifi) plus the stand-in's test CA."""
    return str(_files() / "bundle.pem")


def ca_file() -> str:
    """Path of the stand-in's CA certificate alone (for tests that must not trust it)."""
    return str(_files() / "ca.pem")


def server_context() -> ssl.SSLContext:
    """A server-side TLS context with the loopback certificate signed by the test CA."""
    folder = _files()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "server.pem", folder / "server.key")
    return context


def _files() -> Path:
    global _folder
    with _lock:
        if _folder is None:
            folder = Path(tempfile.mkdtemp(prefix="aniworld-fakesite-tls-"))
            atexit.register(shutil.rmtree, folder, True)
            _write(folder)
            _folder = folder
        return _folder


def _write(folder: Path) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Aniworld stand-in test CA")])
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(n) for n in DNS_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in IP_NAMES]
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    leaf = (
        _builder(leaf_name, ca_name, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    (folder / "ca.pem").write_bytes(ca_pem)
    (folder / "bundle.pem").write_bytes(Path(certifi.where()).read_bytes() + b"\n" + ca_pem)
    (folder / "server.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=7))
    )


def _usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
        crl_sign=cert_sign, encipher_only=False, decipher_only=False,
    )
