"""The tests never reach the internet: a guard on Python's sockets that lets only loopback and Unix sockets connect.

`SocketGuard.install()` wraps `socket.socket.connect`/`connect_ex` and `socket.getaddrinfo`: a connection to an
address that is not loopback, or a name lookup of a host that is not local, raises `InternetAccessBlocked` (a
RuntimeError, so no `except OSError` of a network client swallows it) and is remembered, so a test whose code
catches every exception still fails at teardown (tests/conftest.py). Child processes are not guarded.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


class InternetAccessBlocked(RuntimeError):
    """A test tried to reach a host outside this machine."""


def is_local_host(host: object) -> bool:
    """True for a loopback IP address or a name of this machine's loopback interface."""
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str):
        return False
    host = host.strip("[]").lower()
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@dataclass
class SocketGuard:
    """Installs and removes the guard; `blocked` lists every refused address since the last `take_blocked`."""

    blocked: list[str] = field(default_factory=list)
    _saved: dict = field(default_factory=dict)

    def install(self) -> None:
        self._saved = {
            "connect": socket.socket.connect,
            "connect_ex": socket.socket.connect_ex,
            "getaddrinfo": socket.getaddrinfo,
        }
        guard, saved = self, self._saved

        def connect(sock, address):
            guard.check(sock.family, address)
            return saved["connect"](sock, address)

        def connect_ex(sock, address):
            guard.check(sock.family, address)
            return saved["connect_ex"](sock, address)

        def getaddrinfo(host, *args, **kwargs):
            if host is not None and not is_local_host(host) and not _is_ip_literal(host):
                guard.refuse(f"name lookup of {host!r}")
            return saved["getaddrinfo"](host, *args, **kwargs)

        socket.socket.connect = connect
        socket.socket.connect_ex = connect_ex
        socket.getaddrinfo = getaddrinfo

    def uninstall(self) -> None:
        socket.socket.connect = self._saved["connect"]
        socket.socket.connect_ex = self._saved["connect_ex"]
        socket.getaddrinfo = self._saved["getaddrinfo"]

    def check(self, family: int, address) -> None:
        if family in (socket.AF_INET, socket.AF_INET6) and not is_local_host(address[0]):
            self.refuse(f"connection to {address[0]} port {address[1]}")

    def refuse(self, what: str) -> None:
        self.blocked.append(what)
        raise InternetAccessBlocked(f"a test tried to reach the internet ({what}): tests may use loopback only")

    def take_blocked(self) -> list[str]:
        taken, self.blocked = self.blocked, []
        return taken


def _is_ip_literal(host: object) -> bool:
    try:
        ipaddress.ip_address((host.decode() if isinstance(host, bytes) else str(host)).strip("[]").split("%")[0])
    except ValueError:
        return False
    return True
