"""The socket guard of the test suite: loopback and Unix sockets connect, anything else fails loudly."""

from __future__ import annotations

import re
import socket
import urllib.request

import pytest
import requests

from tests.socket_guard import InternetAccessBlocked

OUTSIDE = "192.0.2.1"  # TEST-NET-1: never this machine


def test_a_connection_to_an_outside_address_fails_loudly(socket_guard):
    refused = re.escape(f"connection to {OUTSIDE} port 80")
    with socket.socket() as sock, pytest.raises(InternetAccessBlocked, match=refused):
        sock.settimeout(1)
        sock.connect((OUTSIDE, 80))
    assert socket_guard.take_blocked() == [f"connection to {OUTSIDE} port 80"]


def test_http_clients_cannot_swallow_the_refusal(socket_guard):
    with pytest.raises(InternetAccessBlocked, match=r"name lookup of 'translate\.google\.com'"):
        requests.get("https://translate.google.com/", timeout=1)
    with pytest.raises(InternetAccessBlocked):
        urllib.request.urlopen(f"http://{OUTSIDE}/", timeout=1)
    assert len(socket_guard.take_blocked()) == 2


def test_loopback_and_unix_sockets_still_connect(tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        for host in ("127.0.0.1", "localhost"):
            with socket.create_connection((host, server.getsockname()[1]), timeout=5):
                pass
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX) as client:
        server.bind(path)
        server.listen()
        client.connect(path)
