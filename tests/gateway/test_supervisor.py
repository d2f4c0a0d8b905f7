"""The process group behind `gridcast up`, with stand-in children."""

from __future__ import annotations

import sys
import threading

import psutil

from gateway.supervisor import ChildSpec, ProcessGroup

SLEEPER = ChildSpec("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
STUBBORN = ChildSpec(
    "stubborn",
    [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"],
)


def _all_gone(group: ProcessGroup) -> bool:
    return all(not psutil.pid_exists(p.pid) or p.poll() is not None for p in group.processes.values())


def test_a_child_that_exits_stops_the_others_and_fails_the_group():
    messages: list[str] = []
    failing = ChildSpec("failing", [sys.executable, "-c", "import time, sys; time.sleep(0.5); sys.exit(3)"])
    group = ProcessGroup([SLEEPER, failing], echo=messages.append, poll_seconds=0.05)

    assert group.run() == 1

    assert group.processes["failing"].returncode == 3
    assert group.processes["sleeper"].returncode is not None
    assert _all_gone(group)
    assert any("failing exited unexpectedly (status 3)" in message for message in messages)


def test_a_requested_stop_terminates_every_child_and_succeeds():
    group = ProcessGroup([SLEEPER, ChildSpec("other", SLEEPER.argv)], echo=lambda _: None, poll_seconds=0.05)
    threading.Timer(0.5, group.request_stop).start()

    assert group.run() == 0

    assert {p.returncode for p in group.processes.values()} == {-15}
    assert _all_gone(group)


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period():
    messages: list[str] = []
    group = ProcessGroup([STUBBORN], echo=messages.append, poll_seconds=0.05, grace_seconds=1)
    threading.Timer(0.8, group.request_stop).start()

    assert group.run() == 0

    assert group.processes["stubborn"].returncode == -9
    assert any("did not stop" in message for message in messages)


def test_children_get_the_extra_environment():
    check = ChildSpec(
        "check", [sys.executable, "-c", "import os, sys; sys.exit(0 if os.environ['X_GRID'] == '1' else 5)"]
    )
    group = ProcessGroup([check, SLEEPER], env={"X_GRID": "1"}, echo=lambda _: None, poll_seconds=0.05)

    assert group.run() == 1
    assert group.processes["check"].returncode == 0
