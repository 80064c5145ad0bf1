"""Which addresses a fetch may connect to: public ones, and those a deployment allow-lists.

A URL given by a user must not turn Newsdesk into a way into the machine's own network
(server-side request forgery): a host that resolves to a loopback, private, link-local,
multicast, reserved or unspecified address is refused, and cloud metadata addresses always
are. `AddressGuard.connectable` is what the fetcher's connections use: it resolves a host
once and returns the checked addresses to connect to, so a name that resolves elsewhere the
second time (DNS rebinding) cannot slip past the check.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ingest.types import IngestError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# Instance metadata services (AWS, GCP, Azure, OpenStack on 169.254.169.254; AWS over IPv6;
# Alibaba): they hand out credentials, so no allow-list entry opens them.
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)


class AddressRefused(IngestError):
    """The host resolves to an address fetches may not reach; the message says which."""


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses, in the resolver's order, each once (an IP literal: itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise IngestError(f"cannot resolve {host!r}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def why_not_public(ip: IPAddress) -> str | None:
    """None for a public address; else what it is, in words."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    checks = (
        (ip in METADATA, "a cloud metadata address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "not a public address"),
    )
    return next((words for hit, words in checks if hit), None)


def parse_allow_list(entries: Iterable[str]) -> tuple[frozenset[str], tuple]:
    """Host names (lower case, no trailing dot) and networks from allow-list entries;
    ValueError names an entry that is neither."""
    names: set[str] = set()
    networks = []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        name = entry.casefold().rstrip(".")
        if not name or any(not (c.isalnum() or c in "-._") for c in name):
            raise ValueError(f"{entry!r} is neither a host name nor an address or network")
        names.add(name)
    return frozenset(names), tuple(networks)


def _address(text: str) -> IPAddress:
    return ipaddress.ip_address(text.partition("%")[0])  # "fe80::1%eth0": the zone aside


def _is_literal(host: str, ip: IPAddress) -> bool:
    try:
        return _address(host) == ip
    except ValueError:
        return False


@dataclass(frozen=True)
class AddressGuard:
    """The check every connection of a fetch goes through."""

    allowed_names: frozenset[str] = frozenset()
    allowed_networks: tuple = ()
    # Looked up at each call when None, so tests can stand in for DNS (`ingest.web.address
    # .resolve`) without a real lookup.
    resolver: Resolver | None = None

    @classmethod
    def of(cls, allow_hosts: Iterable[str], resolver: Resolver | None = None) -> AddressGuard:
        names, networks = parse_allow_list(allow_hosts)
        return cls(names, networks, resolver)

    def why_refused(self, host: str, ip: IPAddress) -> str | None:
        """None when `host` at `ip` may be fetched; else why not."""
        what = why_not_public(ip)
        if what is None:
            return None
        name = host.casefold().rstrip(".")
        said = f"{host} is {what}" if _is_literal(name, ip) else f"{host} resolves to {ip}, {what}"
        if ip in METADATA:
            return f"{said}: never fetched"
        if name in self.allowed_names or any(ip in net for net in self.allowed_networks):
            return None
        return f"{said}: refused (NEWSDESK_FETCH_ALLOW_HOSTS can allow it)"

    def connectable(self, host: str, port: int) -> list[str]:
        """Resolve `host` once and check every address it gave: the addresses to connect to.
        One address that may not be reached refuses the host, so a name cannot pair a public
        address with a private one and hope the private one is tried."""
        lookup = self.resolver or resolve
        addresses = lookup(host, port)
        if not addresses:
            raise IngestError(f"cannot resolve {host!r}: no addresses")
        for text in addresses:
            try:
                ip = _address(text)
            except ValueError as exc:
                raise AddressRefused(f"{host} resolves to {text!r}, not an address") from exc
            reason = self.why_refused(host, ip)
            if reason:
                raise AddressRefused(reason)
        return addresses
