"""Discovery: a real zeroconf browser (python-zeroconf's ServiceBrowser) finds a running
`mirage run`'s OSCQuery server (``_oscjson._tcp``) and control port (``_osc._udp``) on the
loopback interface, and the HTTP server it points at answers HOST_INFO.

Loopback here has no MULTICAST flag, yet Linux delivers the mDNS multicast a socket sends
through 127.0.0.1 back to the sockets that joined the group on 127.0.0.1 (IP_MULTICAST_LOOP),
which is what the engine (bound to 127.0.0.1 by default) and this browser both use."""

from __future__ import annotations

import json
import signal
import socket
import threading
import urllib.request

from tests.engine_runs import start_engine
from tests.osc_receivers import HANG_S, PythonOscReceiver, free_udp_port, wait_for


def test_a_zeroconf_browser_on_loopback_finds_the_oscquery_server_and_the_control_port():
    from zeroconf import ServiceBrowser, ServiceListener, Zeroconf

    control_port = free_udp_port()
    name = f"MIRAGE {socket.gethostname()} {control_port}"
    found, lock = {}, threading.Lock()

    class Listener(ServiceListener):
        def add_service(self, zc, type_, service):
            info = zc.get_service_info(type_, service, timeout=3000)
            with lock:
                found[service] = info

        update_service = add_service

        def remove_service(self, zc, type_, service):
            pass

    with PythonOscReceiver() as osc:
        proc = start_engine(["demo", "--clock", "--no-emotion", "--osc-port", str(osc.port),
                             "--control-port", str(control_port)])
        browser_zc = Zeroconf(interfaces=["127.0.0.1"])
        try:
            browser = ServiceBrowser(browser_zc, ["_oscjson._tcp.local.", "_osc._udp.local."], Listener())
            wanted = {f"{name}._oscjson._tcp.local.", f"{name}._osc._udp.local."}
            assert wait_for(lambda: wanted <= {s for s, i in dict(found).items() if i is not None}, HANG_S), found
            browser.cancel()
            http, osc_udp = (found[f"{name}.{kind}"] for kind in ("_oscjson._tcp.local.", "_osc._udp.local."))
            assert (http.parsed_addresses(), http.port) == (["127.0.0.1"], control_port)
            assert (osc_udp.parsed_addresses(), osc_udp.port) == (["127.0.0.1"], control_port)
            address = http.parsed_addresses()[0]
            with urllib.request.urlopen(f"http://{address}:{http.port}/?HOST_INFO", timeout=10) as answer:
                info = json.loads(answer.read())
            assert (info["NAME"], info["OSC_PORT"], info["OSC_TRANSPORT"]) == ("MIRAGE", control_port, "UDP")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=HANG_S) == 0
            stderr = proc.stderr.read()
        finally:
            browser_zc.close()
            proc.kill()
    assert "advertised" in stderr and "Traceback" not in stderr
