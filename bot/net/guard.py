"""Which network addresses the bot may connect to (the SSRF guard).

A feed, an article page or a redirect can point anywhere, including at the
machine the bot runs on, the newsroom's private network or a cloud metadata
service that hands out credentials. Every host is resolved and *every* address
it resolves to is checked before a connection is made.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

from bot.errors import AddressRefused, HostUnresolved

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services hand out instance credentials: never reachable, even
# with allow_private (a local news wire has no business there).
_METADATA = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

# Checked in order, so that the message names the most telling category
# (127.0.0.1 is also "private" for Python, but "loopback" says more).
_CATEGORIES: tuple[tuple[Callable[[IPAddress], bool], str], ...] = (
    (lambda a: a.is_unspecified, "an unspecified address"),
    (lambda a: a.is_loopback, "a loopback address"),
    (lambda a: a.is_link_local, "a link-local address"),
    (lambda a: a in _CARRIER_GRADE_NAT, "a carrier-grade NAT address"),
    (lambda a: a.is_multicast, "a multicast address"),
    (lambda a: a.is_reserved, "a reserved address"),
    (lambda a: a.is_private, "a private address"),
    (lambda a: not a.is_global, "not a public address"),
)


def forbidden_reason(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why the bot must not connect to ``address``, or None when it may."""
    address = _embedded_ipv4(address) or address
    if address in _METADATA:
        return "a cloud metadata address"
    if allow_private:
        return None
    for matches, label in _CATEGORIES:
        if matches(address):
            return label
    return None


def resolve_allowed(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Resolve ``host`` and return its addresses, all of them allowed.

    One forbidden address refuses the whole host: a name that resolves to a
    public and a private address is either misconfigured or an attack.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        # DNS failures are often transient (resolver hiccup, expired record).
        raise HostUnresolved(f"cannot resolve {host}: {error}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise HostUnresolved(f"{host} has no address")
    for address in addresses:
        reason = forbidden_reason(ipaddress.ip_address(address), allow_private=allow_private)
        if reason is not None:
            hint = "" if reason == "a cloud metadata address" else " (allow_private is off)"
            target = address if address == host else f"{host} ({address})"
            raise AddressRefused(f"refused to connect to {target}: {reason}{hint}")
    return addresses


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in an IPv6 one (mapped, 6to4, NAT64), if any.

    ``::ffff:127.0.0.1`` reaches 127.0.0.1: it must be judged as 127.0.0.1.
    """
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
