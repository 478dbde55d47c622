"""The control port of a running engine on JACK under attack: hypothesis throws random bytes
and random well-formed OSC (any address, any arguments, bundles) at it, then a flood of tens
of thousands of datagrams is sent as fast as a socket can. Meanwhile the features must keep
flowing (liveness, counted in hops received, never timed), the control thread must survive
(a /mirage/state query is answered afterwards), nothing may fail inside MIRAGE
(``command_failed`` stays 0), and every datagram sent is accounted for: read by the receiver
or dropped by the kernel while the receiver was rate-limited (``flood_dropped``, from
``SO_RXQ_OVFL``)."""

from __future__ import annotations

import random
import signal
import socket
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder

from mirage.control.osc_receiver import encode_message, parse_datagram
from tests.engine_runs import mirage_command, read_stats
from tests.osc_receivers import HANG_S, PythonOscReceiver, free_udp_port, wait_for

FLOOD_DATAGRAMS = 40_000
# every command except the transport's (stopping it stops the features on purpose)
ADDRESSES = ["/mirage/song", "/mirage/song/next", "/mirage/song/prev", "/mirage/track/0/profile",
             "/mirage/track/3/profile", "/mirage/track/99999/profile", "/mirage/emotion/reset", "/mirage/state",
             "/mirage/state/song", "/mirage", "/", "/Lfmsg_ch0", "/mirage/track//profile"]

arguments = st.lists(st.one_of(
    st.integers(-2**31, 2**31 - 1), st.floats(width=32), st.booleans(), st.none(),
    st.text(st.characters(blacklist_characters="\x00"), max_size=24), st.binary(min_size=1, max_size=24)), max_size=4)
addresses = st.one_of(st.sampled_from(ADDRESSES), st.text(st.characters(blacklist_characters="\x00"), max_size=30)
                      .map(lambda s: "/" + s))


def _message(address, args):
    builder = OscMessageBuilder(address)
    for value in args:
        builder.add_arg(value)
    return builder.build()


@st.composite
def datagrams(draw):
    kind = draw(st.sampled_from(["bytes", "message", "bundle", "mangled"]))
    if kind == "bytes":
        return draw(st.binary(max_size=512))
    messages = [_message(draw(addresses), draw(arguments)) for _ in range(draw(st.integers(1, 3)))]
    if kind == "message":
        return messages[0].dgram
    bundle = OscBundleBuilder(IMMEDIATELY)
    for message in messages:
        bundle.add_content(message)
    data = bytearray(bundle.build().dgram)
    if kind == "mangled":  # a well-formed bundle with a few bytes changed or cut
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


def _flood_datagrams(seed: int = 12) -> list[bytes]:
    """A seeded mix: random bytes, commands with wrong or out-of-range arguments, valid queries."""
    rng = random.Random(seed)
    fixed = [encode_message("/mirage/song", (7,)), encode_message("/mirage/track/0/profile", ("KAZOO",)),
             encode_message("/mirage/nowhere", (1.0,)), encode_message("/mirage/song", (1.5,)),
             encode_message("/mirage/state", ())]
    return [bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 64))) if i % 2 else fixed[i % 5]
            for i in range(200)]


def _features(osc) -> int:
    return sum(1 for a, _ in list(osc.received) if a == "/Lfmsg_ch0")


@pytest.mark.jack
def test_fuzz_and_flood_the_control_port_of_a_running_engine(jack_server, tmp_path):
    control_port = free_udp_port()
    stderr_path = tmp_path / "stderr.txt"
    with PythonOscReceiver() as osc, open(stderr_path, "w") as stderr_file, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as attacker:
        proc = subprocess.Popen(mirage_command("run", "demo", "--device", "system", "--no-emotion", "--no-zeroconf",
                                               "--osc-port", str(osc.port), "--control-port", str(control_port),
                                               "--stats-json", str(tmp_path / "s.json")),
                                stdout=subprocess.DEVNULL, stderr=stderr_file, text=True,
                                env={**__import__("os").environ, **jack_server.env})
        sent = 0
        try:
            assert wait_for(lambda: _features(osc) > 0, HANG_S), "no features before the fuzz"
            attacker.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)  # the answers: not read

            @settings(max_examples=400, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(datagrams())
            def fuzz(datagram):
                nonlocal sent
                attacker.sendto(datagram, ("127.0.0.1", control_port))
                sent += 1

            before_fuzz = _features(osc)
            fuzz()
            after_fuzz = _features(osc)
            flood = _flood_datagrams()
            for i in range(FLOOD_DATAGRAMS):
                attacker.sendto(flood[i % len(flood)], ("127.0.0.1", control_port))
            sent += FLOOD_DATAGRAMS
            after_flood = _features(osc)
            assert proc.poll() is None, stderr_path.read_text()
            # the control thread is alive: a query from a fresh socket is answered
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as surface:
                surface.settimeout(1.0)
                answers = []
                for _ in range(int(HANG_S)):  # until the backlog is drained and the query read
                    surface.sendto(encode_message("/mirage/state", ()), ("127.0.0.1", control_port))
                    sent += 1
                    try:
                        answers = parse_datagram(surface.recv(65536))
                        break
                    except TimeoutError:
                        continue
            assert answers and answers[0][0] == "/mirage/state/songs", answers
            assert wait_for(lambda: _features(osc) > after_flood + 10, HANG_S)  # and the features go on
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=HANG_S) == 0
        finally:
            proc.kill()
    stderr = stderr_path.read_text()
    stats = read_stats(tmp_path / "s.json")
    control = stats["control"]
    assert after_fuzz > before_fuzz, "no features arrived during the fuzz"
    assert after_flood >= after_fuzz
    assert "command_failed" not in control["bad_input"], control
    assert {"not_osc", "unknown_address", "wrong_arguments", "out_of_range", "unknown_name"} <= set(control["bad_input"])
    assert control["osc"]["datagrams"] + control["bad_input"].get("flood_dropped", 0) == sent
    assert stats["hops_paused"] == 0
    assert "Traceback" not in stderr
    print(f"fuzz+flood: {sent} datagrams, {control['osc']['datagrams']} read, "
          f"{control['bad_input'].get('flood_dropped', 0)} dropped by the kernel; features during the fuzz "
          f"{after_fuzz - before_fuzz}, during the flood {after_flood - after_fuzz}; bad input {control['bad_input']}")
