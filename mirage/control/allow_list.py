"""Who may send commands: ``--control-allow CIDR`` (repeatable) as an allow-list.

The control inputs bind 127.0.0.1 unless ``--control-host`` says otherwise, so by default
only this machine can send. Bound wider, ``--control-allow 192.168.1.0/24`` limits the senders
to those networks (a single address is a /32); a datagram from anyone else is dropped before
it is parsed and counted (`mirage.control.bad_input.NOT_ALLOWED`). No ``--control-allow``:
every sender that reaches the bound address is accepted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from mirage.errors import ParameterError


class AllowList:
    """``permits(host)``: True if ``host`` (an IP address string) is in one of ``networks``,
    or if no network was given."""

    def __init__(self, specs: Iterable[str] = ()):
        self.networks = tuple(parse_network(spec) for spec in specs)

    def permits(self, host: str) -> bool:
        if not self.networks:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def __str__(self) -> str:
        return ", ".join(str(n) for n in self.networks) if self.networks else "any sender"


def parse_network(spec: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """``"192.168.1.0/24"`` or ``"10.0.0.7"`` as a network; ParameterError naming the value."""
    try:
        return ipaddress.ip_network(spec.strip(), strict=False)
    except ValueError:
        raise ParameterError(f"--control-allow {spec!r}: not an IP network "
                             f"(e.g. 192.168.1.0/24 or 10.0.0.7)") from None
