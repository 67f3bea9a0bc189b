"""Which address a request came from, given the proxies we trust (API.md, "Accounts and limits").

The client address is the TCP peer, or, when the peer is a trusted proxy, the right-most `X-Forwarded-For`
entry that is not a trusted proxy. Entries left of that one were written by the client itself and prove
nothing, so they are never used: an attacker cannot choose the address its failures are counted under.
Pure functions over strings (no HTTP library): the WSGI middleware in entrypoints/api/proxy.py applies them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_FORWARDED_ENTRIES = 64  # a longer header is garbage: the entries past the right-most 64 are not read


class BadProxyList(ValueError):
    """A CLOUDALBUM_TRUSTED_PROXIES entry that is neither an address nor a CIDR."""


def parse_trusted_proxies(text: str) -> tuple[Network, ...]:
    """'10.0.0.0/16, 192.0.2.7, fd00::/8' -> networks (a bare address is a /32 or /128). Empty text: none."""
    networks = []
    for raw in (part.strip() for part in (text or "").split(",")):
        if not raw:
            continue
        try:
            networks.append(ipaddress.ip_network(raw, strict=False))
        except ValueError as exc:
            raise BadProxyList(f"{raw!r} is not an IP address or CIDR") from exc
    return tuple(networks)


def parse_address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a header entry or a peer: bare, `[v6]`, `[v6]:port`, `v4:port`, or v6 with a zone;
    an IPv4-mapped IPv6 address is its IPv4 address. None for anything else."""
    value = (text or "").strip().strip('"')
    if not value or len(value) > 64:
        return None
    if value.startswith("["):  # [2001:db8::1] or [2001:db8::1]:443
        end = value.find("]")
        if end < 0:
            return None
        value = value[1:end]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    value = value.split("%", 1)[0]  # fe80::1%eth0: the zone names our interface, not the client
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(addr, "ipv4_mapped", None)
    return mapped or addr


def is_trusted(addr: ipaddress.IPv4Address | ipaddress.IPv6Address | None, trusted: Iterable[Network]) -> bool:
    return addr is not None and any(addr.version == net.version and addr in net for net in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The client address as text (compressed form). `peer` is the TCP peer (REMOTE_ADDR); `forwarded_for`
    every X-Forwarded-For header joined with commas (None when absent).

    An untrusted peer is the client, whatever it sends. From a trusted peer, X-Forwarded-For is read from the
    right; trusted entries are skipped (a chain of our proxies); the first other entry is the client. A
    garbage entry there ends the walk at the last trusted hop (we cannot tell who sent it), as does a header
    made only of trusted entries."""
    peer_addr = parse_address(peer)
    if peer_addr is None:
        return (peer or "").strip() or "unknown"
    if not is_trusted(peer_addr, trusted) or not forwarded_for:
        return str(peer_addr)
    last_trusted = peer_addr
    for entry in reversed(forwarded_for.split(",")[-MAX_FORWARDED_ENTRIES:]):
        addr = parse_address(entry)
        if addr is None:
            return str(last_trusted)
        if not is_trusted(addr, trusted):
            return str(addr)
        last_trusted = addr
    return str(last_trusted)


def forwarded_https(peer: str | None, forwarded_proto: str | None, trusted: tuple[Network, ...]) -> bool:
    """True when a trusted proxy says the client spoke HTTPS to it (the right-most X-Forwarded-Proto value,
    the one our proxy wrote). From anyone else the header means nothing."""
    if not forwarded_proto or not is_trusted(parse_address(peer), trusted):
        return False
    return forwarded_proto.split(",")[-1].strip().lower() == "https"
