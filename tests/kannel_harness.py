"""Debian's real Kannel for tests: bearerbox + smsbox from a generated kannel.conf on free loopback ports, with
Kannel's own fake SMSC (`fakesmsc`, from kannel-extras) playing the phones.

`fakesmsc` connects to bearerbox's `smsc = fake` port. It logs every message Kannel sends it as
`Got message N: <sender receiver type data>` (type `text`, `data` url-encoded bytes, `ucs-2` url-encoded UTF-16BE,
or `udh <udh> <type> <data>` for a part of a long message), and in interactive mode (no messages on its command
line) it sends each line written to its stdin as an SMS from a phone: `sender receiver text|ucs2 data`. It reads
stdin with stdio and waits on the file descriptor, so a test writes one line and waits for it to arrive before the
next (two lines written at once can sit in its buffer).
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

from tests.servers import free_port, stop_group

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
USERNAME, PASSWORD = "gridcast", "sendsms-password"
SMSC_ID = "phones"
PORTS = ("admin", "smsbox", "sendsms", "smsc")
RECEIVED = re.compile(r"Got message \d+: <(.*)>$")
CONF_TEMPLATE = """\
group = core
admin-port = {admin_port}
admin-interface = 127.0.0.1
admin-password = {admin_password}
smsbox-port = {smsbox_port}
box-allow-ip = 127.0.0.1
log-file = "{directory}/bearerbox.log"
log-level = 1
store-type = file
store-location = "{directory}/kannel.store"
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = {smsc_id}
port = {smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox_port}
sendsms-port = {sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{directory}/smsbox.log"
log-level = 1
http-request-retry = 3
http-queue-delay = 1

group = sendsms-user
username = {username}
password = {password}
max-messages = 10
concatenation = true
user-allow-ip = 127.0.0.1

group = sms-service
keyword = default
catch-all = true
max-messages = 0
omit-empty = true
get-url = "{gateway}/kannel/incoming?s={secret}&from=%p&to=%P&text=%b&smsc=%i&time=%t&charset=%C&coding=%c&id=%I"
"""


def wait_for_port(port: int, timeout: float = 10.0, processes: tuple[subprocess.Popen, ...] = ()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout:g} s")


def wait_until(condition, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} not reached within {timeout:g} s")


@dataclass
class Kannel:
    """bearerbox + smsbox on free ports; `gateway` is where Kannel finds Gridcast's /kannel/* endpoints."""

    directory: Path
    gateway: str
    secret: str
    ports: dict[str, int] = field(default_factory=lambda: {name: free_port() for name in PORTS})
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['sendsms']}/cgi-bin/sendsms"

    def write_conf(self) -> Path:
        conf = self.directory / "kannel.conf"
        conf.write_text(
            CONF_TEMPLATE.format(
                directory=self.directory, gateway=self.gateway, secret=self.secret, smsc_id=SMSC_ID,
                admin_password="admin-password", username=USERNAME, password=PASSWORD,
                **{f"{name}_port": port for name, port in self.ports.items()},
            )
        )  # fmt: skip
        return conf

    def start(self) -> None:
        conf = self.write_conf()
        bearerbox = self._spawn(BEARERBOX, conf, "bearerbox.out")
        wait_for_port(self.ports["admin"], processes=(bearerbox,))
        # The fake SMSC's port is not probed: bearerbox would take a probe for the phones and hand it messages.
        wait_until(lambda: SMSC_ID in self.status(), 10, "the fake SMSC set up")
        wait_for_port(self.ports["smsbox"], processes=(bearerbox,))
        smsbox = self._spawn(SMSBOX, conf, "smsbox.out")
        wait_for_port(self.ports["sendsms"], processes=(bearerbox, smsbox))
        wait_until(lambda: "smsbox:" in self.status(), 10, "smsbox connected to bearerbox")

    def _spawn(self, program: str, conf: Path, output: str) -> subprocess.Popen:
        with open(self.directory / output, "ab") as log:
            process = subprocess.Popen([program, str(conf)], stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        self.processes.append(process)
        return process

    def stop(self, crash: bool = False) -> None:
        """smsbox first (killed at once when `crash`), then bearerbox, which keeps what it has not delivered yet in
        its store file."""
        for process in reversed(self.processes):
            stop_group(process, signal.SIGKILL if crash and process.args[0] == SMSBOX else signal.SIGTERM, timeout=10)
        self.processes.clear()

    def status(self) -> str:
        """bearerbox's status page ("" while it cannot answer yet)."""
        url = f"http://127.0.0.1:{self.ports['admin']}/status.txt?password=admin-password"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode("utf-8", "replace")
        except OSError:
            return ""


@dataclass(frozen=True)
class PhoneSms:
    """An SMS as the fake SMSC got it from Kannel, long messages put back together."""

    sender: str
    receiver: str
    text: str
    parts: int


class FakeSmsc:
    """The phones: fakesmsc connected to bearerbox, recording what arrives and sending what the phones type."""

    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log
        self.lines: list[str] = []
        self.process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def start(self, kannel: Kannel) -> None:
        self.process = subprocess.Popen([FAKESMSC, "-H", "127.0.0.1", "-r", str(self.port), "-v", "0"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        start_new_session=True)  # fmt: skip
        self.reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self.reader.start()
        wait_until(lambda: re.search(rf"{SMSC_ID}\S*\s.*online", kannel.status()), 10, "the fake SMSC online")

    def _read(self, process: subprocess.Popen) -> None:
        with open(self.log, "ab") as log:
            for raw in process.stdout:
                log.write(raw)
                found = RECEIVED.search(raw.decode("utf-8", "replace").rstrip("\r\n"))
                if found:
                    with self._lock:
                        self.lines.append(found.group(1))

    def stop(self) -> None:
        """Wait a moment for fakesmsc to exit by itself (bearerbox gone) so every line it printed is read."""
        if self.process is not None:
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                stop_group(self.process, timeout=5)
            self.reader.join(timeout=5)
            self.process = None

    def type(self, sender: str, receiver: str, text: str) -> None:
        """A phone sends `text` (UCS-2 unless it is plain ASCII, as a handset would)."""
        if text.isascii():
            line = f"{sender} {receiver} text {text}\n"
        else:
            line = f"{sender} {receiver} ucs2 {quote(text.encode('utf-16-be'), safe='')}\n"
        self.process.stdin.write(line.encode("ascii"))
        self.process.stdin.flush()

    def received(self) -> list[PhoneSms]:
        """Every SMS Kannel has handed to the phones so far, concatenated parts joined (complete messages only)."""
        with self._lock:
            lines = list(self.lines)
        messages, pending = [], {}
        for line in lines:
            sender, receiver, kind, *rest = line.split(" ")
            if kind != "udh":
                messages.append(PhoneSms(sender, receiver, _decode(kind, _bytes(kind, " ".join(rest))), 1))
                continue
            udh, kind = unquote_to_bytes(rest[0]), rest[1]
            if len(udh) < 6 or udh[1] != 0x00:  # only 8-bit-reference concatenation is expected here
                raise AssertionError(f"unexpected UDH {udh!r}")
            key = (sender, receiver, udh[3], udh[4])
            pending.setdefault(key, {})[udh[5]] = _bytes(kind, " ".join(rest[2:]))
            if len(pending[key]) == udh[4]:
                parts = pending.pop(key)
                joined = b"".join(parts[number] for number in sorted(parts))
                messages.append(PhoneSms(sender, receiver, _decode(kind, joined), udh[4]))
        return messages


def _bytes(kind: str, data: str) -> bytes:
    return data.encode("utf-8") if kind == "text" else unquote_to_bytes(data.replace("+", "%20"))


def _decode(kind: str, raw: bytes) -> str:
    """fakesmsc names UCS-2 (`ucs-2`) only for single messages; the parts of a long one all say `data`, so their
    joined bytes are read as UTF-16BE when they hold NUL or non-ASCII bytes (Kannel's 7-bit text holds neither
    in these tests)."""
    if kind == "text":
        return raw.decode("utf-8")
    if kind in ("ucs-2", "ucs2") or b"\x00" in raw or any(byte >= 0x80 for byte in raw):
        return raw.decode("utf-16-be")
    return raw.decode("latin-1")
