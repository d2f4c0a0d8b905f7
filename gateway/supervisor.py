"""A small process supervisor for `gridcast up`: start a few commands, stop them all together.

The children stay in our process group, so Ctrl-C in a terminal reaches every one of them; we also send each a
SIGTERM ourselves, which covers a SIGTERM or SIGINT sent to this process alone (gunicorn and RQ both take a second
stop signal within a second as the same request). A child that exits on its own takes the others down with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class ChildSpec:
    """A named command to run as a child process."""

    name: str
    argv: Sequence[str]


class ProcessGroup:
    """Runs `children` until asked to stop (SIGINT, SIGTERM or `request_stop`) or until one of them exits."""

    def __init__(
        self,
        children: Sequence[ChildSpec],
        *,
        env: Mapping[str, str] | None = None,
        grace_seconds: float = 10.0,
        poll_seconds: float = 0.2,
        echo: Callable[[str], None] = print,
    ):
        self.children = list(children)
        self.env = {**os.environ, **env} if env is not None else None
        self.grace_seconds = grace_seconds
        self.poll_seconds = poll_seconds
        self.echo = echo
        self.processes: dict[str, subprocess.Popen] = {}
        self._stop_signal: int | None = None

    def request_stop(self, signum: int = signal.SIGTERM, _frame=None) -> None:
        self._stop_signal = signum

    def run(self) -> int:
        """Start every child and watch them: 0 after a requested stop, 1 when a child exited by itself."""
        previous = self._install_handlers()
        try:
            for child in self.children:
                if self._stop_signal is not None:
                    break
                self.processes[child.name] = subprocess.Popen(list(child.argv), env=self.env)
            while self._stop_signal is None:
                exited = [(name, p.returncode) for name, p in self.processes.items() if p.poll() is not None]
                if exited:
                    for name, code in exited:
                        self.echo(f"gridcast: {name} exited unexpectedly (status {code}); stopping the others")
                    return 1
                time.sleep(self.poll_seconds)
            self.echo(f"gridcast: {signal.Signals(self._stop_signal).name} received, stopping")
            return 0
        finally:
            self.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def stop(self) -> None:
        """SIGTERM every child still running, wait up to the grace period, then SIGKILL what is left."""
        running = [p for p in self.processes.values() if p.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + self.grace_seconds
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.echo(f"gridcast: process {process.pid} did not stop in {self.grace_seconds:g} s; killing it")
                process.kill()
                process.wait()

    def _install_handlers(self) -> dict[int, object]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {signum: signal.signal(signum, self.request_stop) for signum in STOP_SIGNALS}
