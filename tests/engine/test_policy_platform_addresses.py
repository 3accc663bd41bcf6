"""Issue 13 items 17 and 4: cloud metadata/platform addresses refused; team mode hides resolved addresses."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest

from requests_app.engine.policy import OutboundPolicy, PolicyRefusal

PUBLIC_ONLY = OutboundPolicy.public_only()


def resolver_to(address):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def resolve(host, port, *args, **kwargs):
        sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    return resolve


# One test per documented address (sources in engine/policy.py next to each).
@pytest.mark.parametrize("address", [
    "168.63.129.16",     # Azure platform endpoint (WireServer): public, allowed before
    "169.254.169.254",   # AWS/GCP/Azure/Oracle/DigitalOcean/OpenStack instance metadata
    "169.254.170.2",     # AWS ECS task metadata
    "169.254.170.23",    # AWS EKS Pod Identity Agent
    "fd00:ec2::23",      # AWS EKS Pod Identity Agent, IPv6
    "fd00:ec2::254",     # AWS instance metadata, IPv6
    "169.254.169.253",   # AWS Route 53 Resolver
    "fd00:ec2::253",     # AWS Route 53 Resolver, IPv6
    "169.254.169.123",   # Amazon Time Sync
    "fd00:ec2::123",     # Amazon Time Sync, IPv6
    "100.100.100.200",   # Alibaba Cloud metadata
    "169.254.0.23",      # Tencent Cloud metadata
])
def test_cloud_metadata_and_platform_addresses_are_refused(address):
    with pytest.raises(PolicyRefusal) as caught:
        PUBLIC_ONLY.check_address(address)
    assert caught.value.rule == "metadata"
    with pytest.raises(PolicyRefusal) as by_name:
        PUBLIC_ONLY.approve("innocent.example.com", 443, resolver=resolver_to(address))
    assert by_name.value.rule == "metadata"


def test_tencent_metadata_name_is_refused_before_lookup():
    with pytest.raises(PolicyRefusal) as caught:
        PUBLIC_ONLY.approve("metadata.tencentyun.com", 80, resolver=lambda *a, **k: pytest.fail("looked up"))
    assert caught.value.rule == "metadata"


def test_team_mode_names_the_rule_but_not_the_resolved_address():
    hiding = replace(PUBLIC_ONLY, hides_resolved_addresses=True)
    with pytest.raises(PolicyRefusal) as caught:
        hiding.approve("internal.test", 80, resolver=resolver_to("10.0.0.5"))
    assert "10.0.0.5" not in caught.value.message
    assert "internal.test" in caught.value.message and "(private)" in caught.value.message
    assert caught.value.address == "10.0.0.5"  # kept for the server's logs
    # A literal address the person typed is theirs to see.
    with pytest.raises(PolicyRefusal) as literal:
        hiding.check_address("10.0.0.5")
    assert "10.0.0.5" in literal.value.message


def test_the_execute_service_hides_addresses_in_team_mode(settings):
    from requests_app.services.execution import outbound_policy

    settings.TEAM_MODE = True
    assert outbound_policy().hides_resolved_addresses
    settings.TEAM_MODE = False
    assert not outbound_policy().hides_resolved_addresses
