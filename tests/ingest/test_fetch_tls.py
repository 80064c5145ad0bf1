"""https against a real TLS server on 127.0.0.1 with a certificate authority made here: the
certificate is checked by default, the host name of the URL is what TLS verifies (and sends
as SNI) although the socket goes to the address the guard checked, and only a CA named in
`ca_file` (NEWSDESK_FETCH_CA_FILE) is trusted besides the system's.

DNS is stood in for (a resolver given to the fetcher), as in tests/ingest/test_fetch.py:
"news.test" must reach 127.0.0.1 without asking a real resolver."""

from __future__ import annotations

import datetime
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.web.fetch import Fetcher
from ingest.web.policy import FetchError, FetchPolicy

x509 = pytest.importorskip(
    "cryptography.x509", reason="the cryptography package is not installed in .venv: no CA"
)
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

PAGE = b"<html><head><title>Secure page</title></head><body><p>Served over TLS.</p></body></html>"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(subject, issuer, key, signer, *, ca: bool, names=()):  # noqa: ANN001, ANN202
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(usage, critical=True)
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
    return builder.sign(signer, hashes.SHA256())


def _pem(cert) -> bytes:  # noqa: ANN001
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class TlsSite:
    """A TLS server on 127.0.0.1 whose certificate names `news.test` only, signed by a CA
    made for the test (`ca_file`); `sni` holds the server names clients sent."""

    port: int
    ca_file: str
    sni: list[str | None] = field(default_factory=list)

    def url(self, host: str) -> str:
        return f"https://{host}:{self.port}/page"


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory) -> Iterator[TlsSite]:
    folder: Path = tmp_path_factory.mktemp("tls")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(_name("Newsdesk test CA"), _name("Newsdesk test CA"), ca_key, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name("news.test"), ca.subject, key, ca_key, ca=False, names=["news.test"])
    (folder / "ca.pem").write_bytes(_pem(ca))
    (folder / "site.pem").write_bytes(_pem(cert))
    (folder / "site.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site = TlsSite(server.server_address[1], str(folder / "ca.pem"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "site.pem", folder / "site.key")
    context.sni_callback = lambda _sock, name, _ctx: site.sni.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()


def _to_localhost(host: str, port: int) -> list[str]:
    if host in ("news.test", "localhost"):
        return ["127.0.0.1"]
    raise AssertionError(f"the test resolves news.test and localhost only, not {host}")


def _fetch(url: str, **policy: object):  # noqa: ANN202 - a Page
    base = FetchPolicy(allow_hosts=("127.0.0.1",), host_interval_s=0.0, retries=0, robots=False)
    from dataclasses import replace

    with Fetcher(replace(base, **policy), resolver=_to_localhost) as fetcher:
        return fetcher.fetch(url)


def test_a_certificate_from_an_unknown_authority_is_refused_by_default(tls_site):
    with pytest.raises(FetchError) as refused:
        _fetch(tls_site.url("news.test"))
    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.reason
    assert "unable to get local issuer certificate" in refused.value.reason


def test_with_the_ca_trusted_the_page_comes_over_the_pinned_address_with_its_host_name(tls_site):
    before = len(tls_site.sni)
    page = _fetch(tls_site.url("news.test"), ca_file=tls_site.ca_file)
    assert page.status == 200 and "Served over TLS." in page.text
    # The socket went to 127.0.0.1 (the only address), and TLS was told "news.test".
    assert tls_site.sni[before:] == ["news.test"]


def test_a_certificate_for_another_host_name_is_refused_even_from_a_trusted_ca(tls_site):
    # Same server, same address, same trusted CA: only the name in the URL differs.
    with pytest.raises(FetchError) as refused:
        _fetch(tls_site.url("localhost"), ca_file=tls_site.ca_file)
    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.reason
    assert "Hostname mismatch, certificate is not valid for 'localhost'" in refused.value.reason
