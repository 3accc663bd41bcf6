"""The outbound policy: which addresses the server may open connections to (SSRF guard).

Usage::

    from requests_app.engine.policy import OutboundPolicy, PolicyRefusal, ResolutionError

    policy = OutboundPolicy.from_config("public_only", allow="10.1.0.0/16, api.internal", deny="*.corp")
    try:
        addresses = policy.approve("example.com", 443)   # resolves ONCE, checks every address
    except ResolutionError as exc:
        ...                                              # exc.message: "Could not resolve example.com"
    except PolicyRefusal as exc:
        ...                                              # exc.rule == "loopback", exc.message names it
    # connect to one of `addresses` (IP strings, in resolution order), never to the name again:
    # resolving twice would let a DNS answer change between the check and the connection.

    policy.check_address("169.254.169.254")              # pure, no DNS: raises PolicyRefusal("metadata")

Modes:

- ``allow_all`` (local mode): everything is allowed except the deny list; people test their own
  localhost APIs.
- ``public_only`` (team mode): loopback, private, link-local, metadata, CGNAT, multicast, reserved
  and unspecified addresses are refused, as are ports other than 80, 443, >= 1024 and
  ``allowed_ports``. IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are
  judged by the embedded address.

The allow list (CIDRs and host names, ``*.corp`` wildcards) wins over the built-in rules; the deny
list wins over everything and applies in both modes. Ports are never lifted by the allow list:
``allowed_ports`` is the knob for them.

Verdicts are made on RESOLVED addresses, never on the string alone: ``getaddrinfo`` turns
``127.1``, ``0x7f.1``, ``2130706433`` and ``0`` into loopback / 0.0.0.0, which ``ipaddress`` rejects.
``ipaddress.is_global`` is wrong on Python 3.11 for several ranges (224.0.0.1, ff02::1, fec0::1,
192.0.0.192, ``::127.0.0.1``, ``64:ff9b::127.0.0.1``, ``2002:7f00:1::``), hence the explicit table.
"""

# One module past 500 lines: the outbound policy's address rules and the resolution they judge, reviewed together as one security boundary.
from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., Sequence[tuple[Any, ...]]]

ALLOW_ALL = "allow_all"
PUBLIC_ONLY = "public_only"
MODES = (ALLOW_ALL, PUBLIC_ONLY)

# Ports a public_only policy allows without configuration: the web ports and every unprivileged
# port. Low ports reach SSH, mail relays and other services no API test needs.
DEFAULT_ALLOWED_PORTS = (80, 443)
FIRST_UNPRIVILEGED_PORT = 1024

# Rule ids carried by PolicyRefusal.rule.
RULE_DENY_LIST = "deny_list"
RULE_PORT = "port"
RULE_LOCALHOST_NAME = "localhost_name"
RULE_METADATA = "metadata"
RULE_LOOPBACK = "loopback"
RULE_PRIVATE = "private"
RULE_LINK_LOCAL = "link_local"
RULE_CGNAT = "cgnat"
RULE_MULTICAST = "multicast"
RULE_BROADCAST = "broadcast"
RULE_RESERVED = "reserved"
RULE_UNSPECIFIED = "unspecified"
RULE_ZONE_ID = "zone_id"
RULE_UNPARSEABLE = "unparseable"
RULE_NOT_GLOBAL = "not_global"


def _networks(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# (networks, rule, what the range is) — first match wins, so narrow entries come before the
# ranges that contain them (metadata before link-local, 0.0.0.0/32 before 0.0.0.0/8).
_BUILT_IN_RULES: tuple[tuple[tuple[IPNetwork, ...], str, str], ...] = (
    (_networks("0.0.0.0/32", "::/128"), RULE_UNSPECIFIED, "the unspecified address"),
    (_networks("127.0.0.0/8", "::1/128"), RULE_LOOPBACK, "a loopback address"),
    (
        _networks(
            # Instance metadata of AWS, GCP, Azure, Oracle, DigitalOcean, OpenStack, Hetzner:
            # docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html,
            # cloud.google.com/compute/docs/metadata/querying-metadata,
            # learn.microsoft.com/azure/virtual-machines/instance-metadata-service
            "169.254.169.254/32",
            # AWS ECS task metadata and credentials endpoint:
            # docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
            "169.254.170.2/32",
            # AWS EKS Pod Identity Agent: docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html
            "169.254.170.23/32",
            "fd00:ec2::23/128",
            # AWS instance metadata over IPv6 (same page as 169.254.169.254)
            "fd00:ec2::254/128",
            # AWS Route 53 Resolver and Amazon Time Sync on the instance's link:
            # docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html,
            # docs.aws.amazon.com/AWSEC2/latest/UserGuide/set-time.html
            "169.254.169.253/32",
            "fd00:ec2::253/128",
            "169.254.169.123/32",
            "fd00:ec2::123/128",
            # Alibaba Cloud ECS metadata: alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata
            "100.100.100.200/32",
            # Azure platform endpoint (WireServer), a PUBLIC address the other rules would allow:
            # learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16
            "168.63.129.16/32",
            # Tencent Cloud CVM metadata (metadata.tencentyun.com):
            # tencentcloud.com/document/product/213/4934
            "169.254.0.23/32",
        ),
        RULE_METADATA,
        "a cloud metadata or platform service address",
    ),
    (_networks("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"), RULE_PRIVATE, "a private address"),
    (_networks("fc00::/7"), RULE_PRIVATE, "a unique local (private) IPv6 address"),
    (_networks("fec0::/10"), RULE_PRIVATE, "a site-local (private) IPv6 address"),
    (_networks("169.254.0.0/16", "fe80::/10"), RULE_LINK_LOCAL, "a link-local address"),
    (_networks("100.64.0.0/10"), RULE_CGNAT, "a carrier-grade NAT (shared) address"),
    (_networks("224.0.0.0/4", "ff00::/8"), RULE_MULTICAST, "a multicast address"),
    (_networks("255.255.255.255/32"), RULE_BROADCAST, "the broadcast address"),
    (_networks("0.0.0.0/8"), RULE_RESERVED, "a reserved 'this network' address"),
    (_networks("192.0.0.0/24"), RULE_RESERVED, "a reserved IETF protocol address"),
    (
        _networks("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20"),
        RULE_RESERVED,
        "a documentation address",
    ),
    (_networks("198.18.0.0/15", "2001:2::/48"), RULE_RESERVED, "a benchmarking address"),
    (_networks("192.88.99.0/24"), RULE_RESERVED, "a reserved 6to4 relay address"),
    (_networks("240.0.0.0/4"), RULE_RESERVED, "a reserved (class E) address"),
    (_networks("100::/64"), RULE_RESERVED, "a discard-only address"),
    (_networks("64:ff9b:1::/48"), RULE_RESERVED, "a local-use NAT64 address"),
    (_networks("2001::/32"), RULE_RESERVED, "a Teredo tunnel address"),
    (_networks("2001:10::/28", "2001:20::/28"), RULE_RESERVED, "a reserved ORCHID address"),
    (_networks("5f00::/16"), RULE_RESERVED, "a reserved SRv6 address"),
)

# Everything routable on the IPv6 internet lives in 2000::/3; the rest is reserved or special.
_IPV6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_IPV4_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")

# Names that reach the server itself or a metadata service without any DNS answer to judge
# (resolvers, /etc/hosts and cloud DNS answer them locally).
_LOCALHOST_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_METADATA_NAMES = frozenset(
    {"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal", "metadata.tencentyun.com"}
)

# Ideographic and half-width full stops are label separators in IDNA; NFKC maps U+FF0E but not these.
_DOT_LOOKALIKES = str.maketrans({"\u3002": ".", "\uff61": "."})
_LOOKS_LIKE_CIDR = re.compile(r"^[0-9a-fA-F:.]+/")
_NAME_PATTERN = re.compile(r"^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$")


class PolicyRefusal(Exception):
    """The outbound policy refuses a host, port or address.

    `rule` is a short id ("loopback", "private", "port", "deny_list"...); `message` is for a person
    and names both the rule and the address.
    """

    def __init__(self, rule: str, message: str, *, address: str = "", host: str = "") -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.address = address
        self.host = host


class ResolutionError(Exception):
    """The host name did not resolve; `message` is for a person."""

    def __init__(self, message: str, *, host: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.host = host


def normalise_host(host: str) -> str:
    """The host as a resolver sees it: brackets off, NFKC, IDNA (ASCII), lower case, no trailing dot.

    Full-width and IDN spellings such as ``１２７．０．０．１`` and ``ⓛⓞⓒⓐⓛⓗⓞⓢⓣ`` become ``127.0.0.1``
    and ``localhost``. Raises ResolutionError for text that is not a host name at all.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = unicodedata.normalize("NFKC", text).translate(_DOT_LOOKALIKES).lower().rstrip(".")
    if not text:
        raise ResolutionError("The URL has no host name to connect to.", host=host)
    if not text.isascii():
        try:
            # The codec getaddrinfo itself would use (IDNA 2003 nameprep), so the name checked
            # here is the name resolved.
            text = text.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise ResolutionError(f"Could not resolve {host}: it is not a valid host name.", host=host) from None
    return text


def _parse_address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 form carries, and the form's name, or None."""
    if ip in _IPV4_MAPPED:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "IPv4-mapped"
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    if ip in _SIX_TO_FOUR and ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    # ::/96 minus :: and ::1, which have meanings of their own (unspecified, loopback).
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "IPv4-compatible"
    return None


def _built_in_verdict(ip: IPAddress) -> tuple[str, str] | None:
    """(rule, description) when the built-in table refuses `ip`, else None. `ip` has no zone id."""
    for networks, rule, description in _BUILT_IN_RULES:
        for net in networks:
            if ip.version == net.version and ip in net:
                return rule, f"{description} ({net})"
    if ip.version == 6 and ip not in _IPV6_GLOBAL_UNICAST:
        return RULE_RESERVED, "a reserved IPv6 address (outside 2000::/3)"
    if not ip.is_global:
        # Belt and braces: anything the standard library knows to be special that the table missed.
        return RULE_NOT_GLOBAL, "not a globally reachable address"
    return None


def _matches_name(host: str, patterns: Iterable[str]) -> str | None:
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):
                return pattern
        elif host == pattern:
            return pattern
    return None


def _in_networks(ips: Sequence[IPAddress], networks: Iterable[IPNetwork]) -> IPNetwork | None:
    for net in networks:
        for ip in ips:
            if ip.version == net.version and ip in net:
                return net
    return None


def _parse_entries(entries: Iterable[str], what: str) -> tuple[tuple[IPNetwork, ...], tuple[str, ...]]:
    """Split allow/deny entries into networks and normalised names; ValueError names the bad entry."""
    networks: list[IPNetwork] = []
    names: list[str] = []
    for raw in entries:
        if not isinstance(raw, str):
            raise ValueError(f"Outbound {what} list entry {raw!r} must be text (a CIDR or a host name).")
        entry = raw.strip()
        if not entry:
            continue
        bare = entry[1:-1] if entry.startswith("[") and entry.endswith("]") else entry
        if _parse_address(bare) is not None or _LOOKS_LIKE_CIDR.match(bare):
            try:
                networks.append(ipaddress.ip_network(bare, strict=True))
            except ValueError as exc:
                hint = ""
                if "has host bits set" in str(exc):
                    hint = f"; did you mean {ipaddress.ip_network(bare, strict=False)}?"
                raise ValueError(f"Outbound {what} list entry {entry!r} is not a valid CIDR ({exc}){hint}") from None
            continue
        name = entry.lower().rstrip(".")
        if not name.isascii():
            try:
                name = normalise_host(name)
            except ResolutionError:
                name = ""
        if not _NAME_PATTERN.match(name):
            raise ValueError(
                f"Outbound {what} list entry {entry!r} is neither a CIDR (10.0.0.0/8) "
                "nor a host name (api.internal, *.corp)."
            )
        names.append(name)
    return tuple(networks), tuple(names)


def _split_config_list(value: Iterable[Any] | str | None) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(value)


@dataclass(frozen=True)
class OutboundPolicy:
    mode: str = ALLOW_ALL
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    allowed_ports: tuple[int, ...] = ()
    # Refusals of a name leave out the address it resolved to (team mode: members would learn
    # what internal names resolve to); the address stays on PolicyRefusal.address for logs.
    hides_resolved_addresses: bool = False

    _allow_networks: tuple[IPNetwork, ...] = field(init=False, repr=False, compare=False)
    _allow_names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _deny_networks: tuple[IPNetwork, ...] = field(init=False, repr=False, compare=False)
    _deny_names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"Unknown outbound policy mode {self.mode!r}: use {' or '.join(MODES)}.")
        # Lists given by hand are frozen so the policy stays hashable and cannot change under us.
        object.__setattr__(self, "allow", tuple(self.allow))
        object.__setattr__(self, "deny", tuple(self.deny))
        object.__setattr__(self, "allowed_ports", tuple(self.allowed_ports))
        for port in self.allowed_ports:
            if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
                raise ValueError(f"Outbound allowed port {port!r} must be a whole number from 1 to 65535.")
        allow_networks, allow_names = _parse_entries(self.allow, "allow")
        deny_networks, deny_names = _parse_entries(self.deny, "deny")
        object.__setattr__(self, "_allow_networks", allow_networks)
        object.__setattr__(self, "_allow_names", allow_names)
        object.__setattr__(self, "_deny_networks", deny_networks)
        object.__setattr__(self, "_deny_names", deny_names)

    # ------------------------------------------------------------ construction

    @classmethod
    def allow_all(cls, deny: Iterable[str] = ()) -> OutboundPolicy:
        return cls(mode=ALLOW_ALL, deny=tuple(deny))

    @classmethod
    def public_only(cls, allow: Iterable[str] = (), deny: Iterable[str] = ()) -> OutboundPolicy:
        return cls(mode=PUBLIC_ONLY, allow=tuple(allow), deny=tuple(deny))

    @classmethod
    def from_config(
        cls,
        mode: str,
        allow: Iterable[str] | str = (),
        deny: Iterable[str] | str = (),
        *,
        allowed_ports: Iterable[int] | str = (),
    ) -> OutboundPolicy:
        """Build from settings: lists may be comma-separated strings; ValueError names what is wrong."""
        normalised_mode = (mode or "").strip().lower().replace("-", "_")
        if normalised_mode not in MODES:
            raise ValueError(f"Unknown outbound policy mode {mode!r}: use {' or '.join(MODES)}.")
        ports: list[int] = []
        for port in _split_config_list(allowed_ports):
            try:
                ports.append(int(port))
            except (TypeError, ValueError):
                raise ValueError(f"Outbound allowed port {port!r} must be a whole number from 1 to 65535.") from None
        return cls(
            mode=normalised_mode,
            allow=_split_config_list(allow),
            deny=_split_config_list(deny),
            allowed_ports=tuple(ports),
        )

    # ------------------------------------------------------------ verdicts

    @property
    def is_public_only(self) -> bool:
        return self.mode == PUBLIC_ONLY


    def approve(self, host: str, port: int, *, resolver: Resolver | None = None) -> list[str]:
        """Resolve `host` once, check the name, the port and EVERY address; return the approved IPs.

        The result keeps resolution order and has no duplicates; connect to these, nothing else.
        Raises ResolutionError if the name does not resolve, PolicyRefusal if anything is refused
        (one refused address refuses the whole name: a client may pick any of them).
        """
        self.check_port(port)
        name = normalise_host(host)
        self._check_name(name, host)
        name_allowed = self.is_public_only and _matches_name(name, self._allow_names) is not None
        # An address literal needs no "x resolves to x" in messages.
        shown_host = "" if _parse_address(name) is not None else host

        resolve = resolver or socket.getaddrinfo
        try:
            infos = resolve(name, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError):
            # gaierror is an OSError; UnicodeError/ValueError come from names getaddrinfo cannot encode.
            raise ResolutionError(f"Could not resolve {host}", host=host) from None
        addresses: list[str] = []
        for info in infos:
            address = _address_of(info)
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise ResolutionError(f"Could not resolve {host}: no addresses", host=host)
        for address in addresses:
            self._judge(address, host=shown_host, name_allowed=name_allowed)
        return addresses

    def check_address(self, ip: str) -> None:
        """Raise PolicyRefusal if connecting to the IP address `ip` is refused. Pure: no DNS."""
        self._judge(ip, host="", name_allowed=False)

    def check_port(self, port: int) -> None:
        """Raise PolicyRefusal(rule="port") if `port` is invalid, or not allowed in public_only mode."""
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise PolicyRefusal(RULE_PORT, f"Blocked by the outbound policy (port): {port!r} is not a valid port number.")
        if not self.is_public_only:
            return
        if port in DEFAULT_ALLOWED_PORTS or port >= FIRST_UNPRIVILEGED_PORT or port in self.allowed_ports:
            return
        allowed = [str(p) for p in sorted({*DEFAULT_ALLOWED_PORTS, *self.allowed_ports})]
        raise PolicyRefusal(
            RULE_PORT,
            f"Blocked by the outbound policy (port): port {port} is not allowed; "
            f"allowed are {', '.join(allowed)} and 1024-65535.",
        )

    def _check_name(self, name: str, host: str) -> None:
        denied_by = _matches_name(name, self._deny_names)
        if denied_by is not None:
            raise PolicyRefusal(
                RULE_DENY_LIST,
                f"Blocked by the outbound policy (deny_list): {host} matches the deny list entry {denied_by}.",
                host=host,
            )
        if not self.is_public_only or _matches_name(name, self._allow_names) is not None:
            return
        if name in _LOCALHOST_NAMES or name.endswith(".localhost"):
            raise PolicyRefusal(
                RULE_LOCALHOST_NAME,
                f"Blocked by the outbound policy (localhost_name): {host} names this server itself.",
                host=host,
            )
        if name in _METADATA_NAMES:
            raise PolicyRefusal(
                RULE_METADATA,
                f"Blocked by the outbound policy (metadata): {host} names a cloud metadata service.",
                host=host,
            )
        if "%" in name:
            raise PolicyRefusal(
                RULE_ZONE_ID,
                f"Blocked by the outbound policy (zone_id): {host} carries an IPv6 zone id.",
                host=host,
            )

    def _judge(self, address: str, *, host: str, name_allowed: bool) -> None:
        subject = f"{host} resolves to {address}, which" if host else address

        def refuse(rule: str, why: str) -> PolicyRefusal:
            if host and self.hides_resolved_addresses:
                # Team mode: any member would learn what internal names resolve to.
                message = f"Blocked by the outbound policy ({rule}): {host} resolves to an address this server may not reach ({rule.replace('_', ' ')})."
            else:
                message = f"Blocked by the outbound policy ({rule}): {subject} {why}."
            return PolicyRefusal(rule, message, address=address, host=host)

        bare, _, zone = address.partition("%")
        ip = _parse_address(bare)
        if ip is None:
            raise refuse(RULE_UNPARSEABLE, "is not an IP address the policy can judge")
        # The forms an address can hide behind: deny/allow CIDRs match the IPv4 inside too.
        embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
        candidates: list[IPAddress] = [ip] if embedded is None else [ip, embedded[0]]

        denied_by = _in_networks(candidates, self._deny_networks)
        if denied_by is not None:
            raise refuse(RULE_DENY_LIST, f"is in the deny list entry {denied_by}")
        if not self.is_public_only or name_allowed or _in_networks(candidates, self._allow_networks) is not None:
            return
        if zone:
            raise refuse(RULE_ZONE_ID, f"carries the IPv6 zone id %{zone}")
        if embedded is not None:
            inner, form = embedded
            verdict = _built_in_verdict(inner)
            if verdict is not None:
                rule, description = verdict
                raise refuse(rule, f"is the {form} form of {inner}, {description}")
            if form == "IPv4-compatible":
                # Deprecated since 2006; no legitimate public server is reached this way.
                raise refuse(RULE_RESERVED, "is a deprecated IPv4-compatible IPv6 address")
            return
        verdict = _built_in_verdict(ip)
        if verdict is not None:
            rule, description = verdict
            raise refuse(rule, f"is {description}")


def _address_of(info: tuple[Any, ...]) -> str:
    """The IP string of one getaddrinfo tuple, with the zone id when the sockaddr carries one."""
    sockaddr = info[4]
    address = str(sockaddr[0])
    # getaddrinfo("fe80::1%eth0") answers ("fe80::1", port, flow, scope_id): keep the zone visible
    # so the policy can refuse it and a permitted connection still reaches the right interface.
    if len(sockaddr) >= 4 and sockaddr[3] and "%" not in address:
        address = f"{address}%{sockaddr[3]}"
    return address
