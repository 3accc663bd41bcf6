"""The outbound (SSRF) policy: verdicts on resolved addresses.

No test here opens a connection. The real resolver is used only for spellings that resolve on this
machine to loopback or the unspecified address (and for `nope.invalid`, which never resolves);
every other range is answered by an injected fake resolver.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from requests_app.engine.policy import OutboundPolicy, PolicyRefusal, ResolutionError, normalise_host

PUBLIC_ONLY = OutboundPolicy.public_only()
ALLOW_ALL = OutboundPolicy.allow_all()

_LOCAL_ONLY = [ipaddress.ip_network(n) for n in ("127.0.0.0/8", "0.0.0.0/32", "::1/128", "::/128")]


def _is_local_only(address: str) -> bool:
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif int(ip) >> 32 == 0 and int(ip) > 1:  # IPv4-compatible ::a.b.c.d
            ip = ipaddress.IPv4Address(int(ip))
    return any(ip.version == n.version and ip in n for n in _LOCAL_ONLY)


class RecordingResolver:
    """Wraps a resolver and records each call, so tests can count lookups."""

    def __init__(self, resolve: Callable[..., Sequence[tuple[Any, ...]]]) -> None:
        self.resolve = resolve
        self.calls: list[tuple[str, int, dict[str, Any]]] = []

    def __call__(self, host: str, port: int, **kwargs: Any) -> Sequence[tuple[Any, ...]]:
        self.calls.append((host, port, kwargs))
        return self.resolve(host, port, **kwargs)


def real_loopback_resolver() -> RecordingResolver:
    """The real getaddrinfo, guarded: fails the test if an answer could leave this machine."""

    def resolve(host: str, port: int, **kwargs: Any) -> Sequence[tuple[Any, ...]]:
        infos = socket.getaddrinfo(host, port, **kwargs)
        for info in infos:
            assert _is_local_only(info[4][0]), f"{host!r} resolved outside loopback: {info[4][0]}"
        return infos

    return RecordingResolver(resolve)


def fake_resolver(answers: dict[str, list[str]]) -> RecordingResolver:
    """getaddrinfo-shaped answers from a table; unknown names fail like a real NXDOMAIN."""

    def resolve(host: str, port: int, **kwargs: Any) -> Sequence[tuple[Any, ...]]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        infos: list[tuple[Any, ...]] = []
        for address in answers[host]:
            bare, _, zone = address.partition("%")
            if ":" in bare:
                infos.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (bare, port, 0, int(zone or 0))))
            else:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (bare, port)))
        return infos

    return RecordingResolver(resolve)


def assert_refused(policy: OutboundPolicy, host: str, rule: str, resolver: RecordingResolver, port: int = 443) -> PolicyRefusal:
    with pytest.raises(PolicyRefusal) as caught:
        policy.approve(host, port, resolver=resolver)
    refusal = caught.value
    assert refusal.rule == rule
    assert f"({rule})" in refusal.message
    assert str(refusal) == refusal.message
    return refusal


# --------------------------------------------------------------- spellings resolved for real

# (spelling, rule): each resolves on any machine to loopback or 0.0.0.0 without leaving it.
REAL_LOCAL_SPELLINGS = [
    ("127.0.0.1", "loopback"),
    ("127.1", "loopback"),
    ("127.0.1", "loopback"),
    ("0x7f.1", "loopback"),
    ("0x7f000001", "loopback"),
    ("2130706433", "loopback"),
    ("017700000001", "loopback"),
    ("0177.0.0.1", "loopback"),
    ("127.000.000.001", "loopback"),
    ("127.255.255.254", "loopback"),
    ("127.0.0.1.", "loopback"),
    ("::1", "loopback"),
    ("[::1]", "loopback"),
    ("[0:0:0:0:0:0:0:1]", "loopback"),
    ("[::ffff:127.0.0.1]", "loopback"),
    ("::ffff:7f00:1", "loopback"),
    ("[::127.0.0.1]", "loopback"),
    ("１２７．０．０．１", "loopback"),
    ("127。0。0。1", "loopback"),
    ("０ｘ７ｆ．１", "loopback"),
    ("0", "unspecified"),
    ("0.0", "unspecified"),
    ("0.0.0.0", "unspecified"),
    ("[::]", "unspecified"),
    ("[::ffff:0.0.0.0]", "unspecified"),
]


@pytest.mark.parametrize(("spelling", "rule"), REAL_LOCAL_SPELLINGS)
def test_local_address_spellings_are_refused_in_public_only(spelling: str, rule: str) -> None:
    resolver = real_loopback_resolver()
    refusal = assert_refused(PUBLIC_ONLY, spelling, rule, resolver)
    assert len(resolver.calls) == 1
    assert refusal.address in refusal.message


@pytest.mark.parametrize(
    "name",
    ["localhost", "LOCALHOST", "localhost.", "api.localhost", "a.b.localhost.", "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ", "ｌｏｃａｌｈｏｓｔ", "ip6-localhost"],
)
def test_localhost_names_are_refused_before_any_lookup(name: str) -> None:
    resolver = real_loopback_resolver()
    refusal = assert_refused(PUBLIC_ONLY, name, "localhost_name", resolver)
    assert resolver.calls == []
    assert name in refusal.message


def test_metadata_host_names_are_refused_before_any_lookup() -> None:
    resolver = fake_resolver({})
    assert_refused(PUBLIC_ONLY, "metadata.google.internal", "metadata", resolver)
    assert_refused(PUBLIC_ONLY, "Metadata.Google.Internal.", "metadata", resolver)
    assert resolver.calls == []


# --------------------------------------------------------------- ranges answered by a fake resolver

# (address a name resolves to, rule)
INTERNAL_ADDRESSES = [
    ("10.0.0.1", "private"),
    ("10.255.255.255", "private"),
    ("172.16.5.4", "private"),
    ("172.31.255.1", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "metadata"),
    ("169.254.170.2", "metadata"),
    ("100.100.100.200", "metadata"),
    ("fd00:ec2::254", "metadata"),
    ("169.254.1.1", "link_local"),
    ("100.64.0.1", "cgnat"),
    ("100.127.255.254", "cgnat"),
    ("fd00::1", "private"),
    ("fc00::1", "private"),
    ("fec0::1", "private"),
    ("fe80::1", "link_local"),
    ("fe80::1%2", "zone_id"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("255.255.255.255", "broadcast"),
    ("192.0.0.192", "reserved"),
    ("192.0.2.1", "reserved"),
    ("198.51.100.7", "reserved"),
    ("203.0.113.9", "reserved"),
    ("198.18.0.1", "reserved"),
    ("240.0.0.1", "reserved"),
    ("0.1.2.3", "reserved"),
    ("2001:db8::1", "reserved"),
    ("100::1", "reserved"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"),
    ("::127.0.0.1", "loopback"),
    ("::10.0.0.1", "private"),
    ("::8.8.8.8", "reserved"),
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "metadata"),
    ("64:ff9b::127.0.0.1", "loopback"),
    ("64:ff9b::10.0.0.1", "private"),
    ("64:ff9b:1::1", "reserved"),
    ("2002:7f00:1::", "loopback"),
    ("2002:a9fe:a9fe::", "metadata"),
    ("2002:c0a8:101::1", "private"),
    ("4000::1", "reserved"),
    ("2001:100::1", "not_global"),
]


@pytest.mark.parametrize(("address", "rule"), INTERNAL_ADDRESSES)
def test_name_resolving_to_internal_address_is_refused_in_public_only(address: str, rule: str) -> None:
    resolver = fake_resolver({"service.example.com": [address]})
    refusal = assert_refused(PUBLIC_ONLY, "service.example.com", rule, resolver)
    assert refusal.address == address
    assert address in refusal.message
    assert "service.example.com" in refusal.message


@pytest.mark.parametrize(("address", "rule"), INTERNAL_ADDRESSES)
def test_check_address_refuses_internal_addresses_without_dns(address: str, rule: str) -> None:
    with pytest.raises(PolicyRefusal) as caught:
        PUBLIC_ONLY.check_address(address)
    assert caught.value.rule == rule
    assert f"({rule})" in caught.value.message
    assert address in caught.value.message


@pytest.mark.parametrize(("address", "_rule"), INTERNAL_ADDRESSES)
def test_allow_all_approves_internal_addresses(address: str, _rule: str) -> None:
    resolver = fake_resolver({"service.example.com": [address]})
    assert ALLOW_ALL.approve("service.example.com", 22, resolver=resolver) == [address]


def test_embedded_ipv4_message_names_the_form_and_the_inner_address() -> None:
    with pytest.raises(PolicyRefusal) as caught:
        PUBLIC_ONLY.check_address("64:ff9b::a9fe:a9fe")
    assert caught.value.rule == "metadata"
    assert "NAT64" in caught.value.message
    assert "169.254.169.254" in caught.value.message


def test_name_resolving_to_one_public_and_one_private_address_is_refused() -> None:
    resolver = fake_resolver({"mixed.example.com": ["93.184.216.34", "10.0.0.7"]})
    refusal = assert_refused(PUBLIC_ONLY, "mixed.example.com", "private", resolver)
    assert refusal.address == "10.0.0.7"


def test_private_address_listed_first_is_refused_too() -> None:
    resolver = fake_resolver({"mixed.example.com": ["fd12::1", "2606:4700::1111"]})
    assert_refused(PUBLIC_ONLY, "mixed.example.com", "private", resolver)


# --------------------------------------------------------------- what is approved

@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "1.1.1.1",
        "2606:4700::1111",
        "2a00:1450:4001:80b::200e",
        "::ffff:93.184.216.34",
        "64:ff9b::5db8:d822",
        "2002:5db8:d822::1",
    ],
)
def test_public_addresses_are_approved(address: str) -> None:
    resolver = fake_resolver({"example.com": [address]})
    assert PUBLIC_ONLY.approve("example.com", 443, resolver=resolver) == [address]
    PUBLIC_ONLY.check_address(address)


def test_approve_resolves_once_and_returns_every_address_in_order_without_duplicates() -> None:
    resolver = fake_resolver({"example.com": ["2606:4700::1111", "93.184.216.34", "2606:4700::1111", "1.1.1.1"]})
    approved = PUBLIC_ONLY.approve("example.com", 8443, resolver=resolver)
    assert approved == ["2606:4700::1111", "93.184.216.34", "1.1.1.1"]
    assert resolver.calls == [("example.com", 8443, {"type": socket.SOCK_STREAM})]


def test_the_normalised_name_is_what_gets_resolved() -> None:
    resolver = fake_resolver({"example.com": ["93.184.216.34"]})
    assert PUBLIC_ONLY.approve("ＥＸＡＭＰＬＥ.com.", 443, resolver=resolver) == ["93.184.216.34"]
    assert resolver.calls[0][0] == "example.com"


def test_idn_host_is_resolved_in_its_ascii_form() -> None:
    resolver = fake_resolver({"xn--bcher-kva.example": ["93.184.216.34"]})
    assert PUBLIC_ONLY.approve("Bücher.example", 443, resolver=resolver) == ["93.184.216.34"]


def test_allow_all_approves_real_loopback() -> None:
    resolver = real_loopback_resolver()
    assert ALLOW_ALL.approve("127.0.0.1", 8000, resolver=resolver) == ["127.0.0.1"]
    assert ALLOW_ALL.approve("localhost", 22, resolver=resolver)[0].startswith("127.")


def test_approve_defaults_to_the_real_resolver() -> None:
    assert ALLOW_ALL.approve("127.0.0.1", 80) == ["127.0.0.1"]
    with pytest.raises(PolicyRefusal):
        PUBLIC_ONLY.approve("127.0.0.1", 80)


# --------------------------------------------------------------- zone ids and odd answers

def test_zone_id_in_host_name_is_refused_before_lookup_in_public_only() -> None:
    resolver = fake_resolver({})
    assert_refused(PUBLIC_ONLY, "fe80::1%eth0", "zone_id", resolver)
    assert resolver.calls == []


def test_zone_id_from_resolver_is_kept_in_allow_all_so_the_connection_reaches_the_interface() -> None:
    resolver = fake_resolver({"router.example.com": ["fe80::1%3"]})
    assert ALLOW_ALL.approve("router.example.com", 80, resolver=resolver) == ["fe80::1%3"]


def test_unparseable_resolved_address_is_refused_even_in_allow_all() -> None:
    def resolve(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("not-an-ip", port))]

    assert_refused(ALLOW_ALL, "odd.example.com", "unparseable", RecordingResolver(resolve))


# --------------------------------------------------------------- resolution failures

def test_name_that_does_not_resolve_raises_resolution_error() -> None:
    with pytest.raises(ResolutionError) as caught:
        PUBLIC_ONLY.approve("nope.invalid", 443)
    assert caught.value.message == "Could not resolve nope.invalid"
    assert caught.value.host == "nope.invalid"


def test_empty_answer_raises_resolution_error() -> None:
    with pytest.raises(ResolutionError, match="no addresses"):
        ALLOW_ALL.approve("empty.example.com", 80, resolver=RecordingResolver(lambda *a, **k: []))


def test_resolver_encoding_failure_raises_resolution_error() -> None:
    def resolve(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        raise UnicodeError("label too long")

    with pytest.raises(ResolutionError, match="Could not resolve"):
        ALLOW_ALL.approve("example.com", 80, resolver=RecordingResolver(resolve))


@pytest.mark.parametrize("host", ["", "   ", "[]", "."])
def test_empty_host_raises_resolution_error(host: str) -> None:
    with pytest.raises(ResolutionError, match="no host name"):
        ALLOW_ALL.approve(host, 80, resolver=fake_resolver({}))


def test_host_that_is_not_a_valid_idn_raises_resolution_error() -> None:
    with pytest.raises(ResolutionError, match="not a valid host name"):
        ALLOW_ALL.approve("bü" + "x" * 70 + ".example", 80, resolver=fake_resolver({}))


# --------------------------------------------------------------- allow and deny lists

def test_allow_list_cidr_lets_loopback_through_in_public_only() -> None:
    policy = OutboundPolicy.public_only(allow=["127.0.0.1/32"])
    assert policy.approve("127.0.0.1", 8000, resolver=real_loopback_resolver()) == ["127.0.0.1"]
    with pytest.raises(PolicyRefusal) as caught:
        policy.approve("127.0.0.2", 8000, resolver=real_loopback_resolver())
    assert caught.value.rule == "loopback"


def test_allow_list_cidr_covers_the_ipv4_mapped_form() -> None:
    OutboundPolicy.public_only(allow=["10.1.0.0/16"]).check_address("::ffff:10.1.2.3")


def test_allow_list_name_lifts_built_in_rules_for_that_name_only() -> None:
    policy = OutboundPolicy.public_only(allow=["api.internal", "*.corp"])
    resolver = fake_resolver(
        {"api.internal": ["10.1.2.3"], "db.eu.corp": ["192.168.4.4"], "other.internal": ["10.1.2.3"], "corp": ["10.9.9.9"]}
    )
    assert policy.approve("API.internal.", 8080, resolver=resolver) == ["10.1.2.3"]
    assert policy.approve("db.eu.corp", 443, resolver=resolver) == ["192.168.4.4"]
    assert_refused(policy, "other.internal", "private", resolver)
    assert_refused(policy, "corp", "private", resolver)  # "*.corp" means names under corp


def test_allow_list_name_lifts_the_localhost_name_rule() -> None:
    policy = OutboundPolicy.public_only(allow=["localhost"])
    assert policy.approve("localhost", 8000, resolver=real_loopback_resolver())[0].startswith("127.")


def test_allow_list_does_not_lift_the_port_rule() -> None:
    policy = OutboundPolicy.public_only(allow=["127.0.0.1/32"])
    with pytest.raises(PolicyRefusal) as caught:
        policy.approve("127.0.0.1", 22, resolver=real_loopback_resolver())
    assert caught.value.rule == "port"


def test_deny_list_cidr_blocks_in_allow_all() -> None:
    policy = OutboundPolicy.allow_all(deny=["10.0.0.0/8", "127.0.0.0/8"])
    resolver = fake_resolver({"svc.example.com": ["10.2.3.4"]})
    refusal = assert_refused(policy, "svc.example.com", "deny_list", resolver)
    assert "10.0.0.0/8" in refusal.message
    assert_refused(policy, "127.1", "deny_list", real_loopback_resolver())
    with pytest.raises(PolicyRefusal):
        policy.check_address("::ffff:127.0.0.1")


def test_deny_list_name_blocks_in_allow_all_before_lookup() -> None:
    policy = OutboundPolicy.allow_all(deny=["*.corp", "evil.example.com"])
    resolver = fake_resolver({"a.corp": ["93.184.216.34"], "evil.example.com": ["93.184.216.34"]})
    refusal = assert_refused(policy, "A.Corp.", "deny_list", resolver)
    assert "*.corp" in refusal.message
    assert_refused(policy, "evil.example.com", "deny_list", resolver)
    assert resolver.calls == []


def test_deny_list_wins_over_allow_list() -> None:
    policy = OutboundPolicy.public_only(allow=["10.0.0.0/8", "api.internal"], deny=["10.0.0.5/32"])
    resolver = fake_resolver({"api.internal": ["10.0.0.4", "10.0.0.5"]})
    refusal = assert_refused(policy, "api.internal", "deny_list", resolver)
    assert refusal.address == "10.0.0.5"
    policy.check_address("10.0.0.4")


def test_deny_list_blocks_public_addresses_in_public_only() -> None:
    policy = OutboundPolicy.public_only(deny=["93.184.216.0/24"])
    assert_refused(policy, "example.com", "deny_list", fake_resolver({"example.com": ["93.184.216.34"]}))


# --------------------------------------------------------------- ports

@pytest.mark.parametrize("port", [80, 443, 1024, 8080, 65535])
def test_web_and_unprivileged_ports_are_allowed_in_public_only(port: int) -> None:
    assert PUBLIC_ONLY.approve("example.com", port, resolver=fake_resolver({"example.com": ["1.1.1.1"]}))


@pytest.mark.parametrize("port", [1, 22, 25, 111, 445, 1023])
def test_privileged_ports_are_refused_in_public_only_without_lookup(port: int) -> None:
    resolver = fake_resolver({"example.com": ["1.1.1.1"]})
    refusal = assert_refused(PUBLIC_ONLY, "example.com", "port", resolver, port=port)
    assert f"port {port} " in refusal.message
    assert resolver.calls == []


def test_allowed_ports_extend_public_only() -> None:
    policy = OutboundPolicy(mode="public_only", allowed_ports=(22,))
    assert policy.approve("example.com", 22, resolver=fake_resolver({"example.com": ["1.1.1.1"]})) == ["1.1.1.1"]
    with pytest.raises(PolicyRefusal):
        policy.check_port(25)


def test_any_port_is_allowed_in_allow_all() -> None:
    ALLOW_ALL.check_port(22)
    ALLOW_ALL.check_port(1)


@pytest.mark.parametrize("port", [0, -1, 65536, True])
def test_invalid_port_numbers_are_refused_in_every_mode(port: int) -> None:
    for policy in (ALLOW_ALL, PUBLIC_ONLY):
        with pytest.raises(PolicyRefusal) as caught:
            policy.check_port(port)
        assert caught.value.rule == "port"


# --------------------------------------------------------------- configuration

def test_from_config_reads_comma_separated_strings() -> None:
    policy = OutboundPolicy.from_config(" Public_Only ", allow=" 10.1.0.0/16, api.internal ,,", deny="*.corp")
    assert policy.mode == "public_only"
    assert policy.allow == ("10.1.0.0/16", "api.internal")
    assert policy.deny == ("*.corp",)
    policy.check_address("10.1.200.3")


def test_from_config_reads_lists_and_ports() -> None:
    policy = OutboundPolicy.from_config("allow_all", allow=[], deny=["127.0.0.1"], allowed_ports="22, 25")
    assert policy.mode == "allow_all"
    assert policy.allowed_ports == (22, 25)
    with pytest.raises(PolicyRefusal):
        policy.check_address("127.0.0.1")
    policy.check_address("127.0.0.2")


def test_from_config_accepts_empty_settings() -> None:
    assert OutboundPolicy.from_config("allow_all", "", "") == OutboundPolicy.allow_all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "everything"}, "Unknown outbound policy mode 'everything': use allow_all or public_only"),
        ({"mode": "public_only", "allow": "10.0.0.0/33"}, "'10.0.0.0/33' is not a valid CIDR"),
        ({"mode": "public_only", "deny": "10.1.2.3/16"}, "did you mean 10.1.0.0/16?"),
        ({"mode": "public_only", "allow": "not a host"}, "neither a CIDR"),
        ({"mode": "public_only", "deny": "http://x.example"}, "neither a CIDR"),
        ({"mode": "public_only", "allowed_ports": "ssh"}, "'ssh' must be a whole number"),
        ({"mode": "public_only", "allowed_ports": "70000"}, "70000 must be a whole number from 1 to 65535"),
    ],
)
def test_from_config_rejects_bad_settings_with_a_clear_message(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        OutboundPolicy.from_config(**kwargs)
    assert message in str(caught.value)


def test_direct_construction_validates_too() -> None:
    with pytest.raises(ValueError, match="not a valid CIDR"):
        OutboundPolicy(mode="public_only", deny=("300.0.0.0/8",))
    with pytest.raises(ValueError, match="Unknown outbound policy mode"):
        OutboundPolicy(mode="off")


def test_policy_is_immutable_and_hashable() -> None:
    policy = OutboundPolicy.public_only(allow=["10.0.0.0/8"])
    assert hash(policy) == hash(OutboundPolicy.public_only(allow=("10.0.0.0/8",)))
    with pytest.raises(AttributeError):
        policy.mode = "allow_all"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("host", "normalised"),
    [
        ("Example.COM.", "example.com"),
        ("[::1]", "::1"),
        ("１２７．０．０．１", "127.0.0.1"),
        ("ⓛⓞⓒⓐⓛⓗⓞⓢⓣ", "localhost"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_normalise_host(host: str, normalised: str) -> None:
    assert normalise_host(host) == normalised
