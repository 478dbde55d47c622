"""Advertise MIRAGE on the local network with zeroconf (mDNS/DNS-SD, the `zeroconf` package):
``_oscjson._tcp`` for the OSCQuery HTTP server and ``_osc._udp`` for the control port, so an
OSCQuery client (VDMX, ossia score, Chataigne, TouchOSC) lists MIRAGE without an address typed.

Addresses advertised: the bound host, or every IPv4 address of the machine when bound to
0.0.0.0 (bound to 127.0.0.1, the default, only this machine's clients can see and reach it).
Registration (mDNS probing takes ~1-2 s) runs in its own daemon thread so the start-up does
not wait; a failure (no multicast on the network) is one warning, never fatal: the ports
still work when typed in.
"""

from __future__ import annotations

import logging
import socket
import threading

log = logging.getLogger("mirage.control")

OSCJSON_TYPE = "_oscjson._tcp.local."
OSC_UDP_TYPE = "_osc._udp.local."


class ZeroconfAdvert:
    """Register ``name`` as ``_oscjson._tcp`` on ``http_port`` and ``_osc._udp`` on
    ``osc_port`` at ``host``; ``close()`` unregisters. ``registered`` is set once done."""

    def __init__(self, name: str, host: str, *, http_port: int, osc_port: int):
        self.name, self.host, self.http_port, self.osc_port = name, host, http_port, osc_port
        self.registered = threading.Event()
        self.error: str | None = None
        self._zc = None
        self._infos = []
        self._thread = threading.Thread(target=self._register, name="mirage-zeroconf", daemon=True)

    def start(self) -> ZeroconfAdvert:
        self._thread.start()
        return self

    def _register(self) -> None:
        try:
            from zeroconf import InterfaceChoice, ServiceInfo, Zeroconf

            everywhere = self.host in ("0.0.0.0", "")
            self._zc = Zeroconf(interfaces=InterfaceChoice.All if everywhere else [socket.gethostbyname(self.host)])
            addresses = None if everywhere else [socket.inet_aton(socket.gethostbyname(self.host))]
            server = f"{socket.gethostname()}.local."
            for kind, port in ((OSCJSON_TYPE, self.http_port), (OSC_UDP_TYPE, self.osc_port)):
                info = ServiceInfo(kind, f"{self.name}.{kind}", port=port, server=server,
                                   addresses=addresses, parsed_addresses=None if addresses else _all_ipv4())
                self._zc.register_service(info, allow_name_change=True)
                self._infos.append(info)
            self.registered.set()
            log.info("control: advertised %r as %s and %s (zeroconf)", self.name, OSCJSON_TYPE, OSC_UDP_TYPE)
        except Exception as exc:  # no multicast here: the ports still work when typed in
            self.error = f"{type(exc).__name__}: {exc}"
            log.warning("control: zeroconf advertisement failed (%s); clients must be given the address",
                        self.error)

    def close(self) -> None:
        self._thread.join(5.0)
        if self._zc is not None:
            try:
                for info in self._infos:
                    self._zc.unregister_service(info)
            finally:
                self._zc.close()

    def __enter__(self) -> ZeroconfAdvert:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def _all_ipv4() -> list[str]:
    """This machine's IPv4 addresses (without loopback, unless it is all there is)."""
    import ifaddr

    found = [ip.ip for adapter in ifaddr.get_adapters() for ip in adapter.ips if isinstance(ip.ip, str)]
    wide = [ip for ip in found if not ip.startswith("127.")]
    return wide or found or ["127.0.0.1"]
