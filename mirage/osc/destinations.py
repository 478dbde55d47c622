"""Where ``mirage run`` sends its OSC, from the command line's ``-o`` / ``--osc-host`` / ``--osc-port``.

``-o HOST:PORT`` (``--osc-target``, repeatable) says where the output goes, as ``-o FILE``
does for ``mirage analyze``: given alone, it replaces the default destination
``127.0.0.1:12345``. ``--osc-host`` / ``--osc-port`` name that default destination; when one
of them is given, it is sent to as well. Every destination is checked before anything
starts: its form (`mirage.osc.sender.parse_target`) and that its host name resolves — a
mistyped host is a one-line error (exit code 2), not a stream of counted send errors found
out on stage.
"""

from __future__ import annotations

from collections.abc import Sequence

from mirage.errors import ParameterError
from mirage.osc.sender import DEFAULT_HOST, DEFAULT_PORT, check_resolvable, parse_target


def host_port(host: str, port: int) -> str:
    """``host:port``, with an IPv6 literal in brackets (``[::1]:12345``)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def osc_destinations(osc_host: str | None, osc_port: int | None, osc_targets: Sequence[str]) -> list[str]:
    """The destinations, ``host:port``, in order: the default one (unless ``-o`` alone was
    given), then every ``-o``. Raises ParameterError, naming the option, for a malformed
    target, a port outside 1..65535 or a host name that does not resolve."""
    named = [(f"--osc-target {target}", target) for target in osc_targets]
    if osc_host is not None or osc_port is not None or not named:
        port = DEFAULT_PORT if osc_port is None else osc_port
        if not 0 < port < 65536:
            raise ParameterError(f"--osc-port must be within 1..65535, got {port}")
        option = "--osc-host" if osc_host is not None else "--osc-port"
        named.insert(0, (option, host_port(osc_host or DEFAULT_HOST, port)))
    for option, target in named:
        host, port = parse_target(target)
        try:
            check_resolvable(host, port)
        except ParameterError as exc:
            raise ParameterError(f"{option}: {exc}") from None
    return [target for _, target in named]
