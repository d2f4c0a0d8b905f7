"""Prism serving Twilio's OpenAPI description on loopback: a stand-in that checks every request we make.

Prism is an npm package installed under .tools/ (gitignored) by .ci/run; the description lives in the shared
directory beside the repository (../shared/twilio). A missing Prism fails the tests that need it, loudly.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRISM = REPO / ".tools" / "node_modules" / ".bin" / "prism"
SPEC = REPO.parent / "shared" / "twilio" / "twilio_api_v2010.json"
INSTALL = "npm install --prefix .tools --no-audit --no-fund @stoplight/prism-cli@5"
START_TIMEOUT_SECONDS = 60


@contextmanager
def running_prism(log_path: Path) -> Iterator[str]:
    """Start `prism mock` on a free port, wait until it answers, yield its base URL, stop it afterwards."""
    if not PRISM.exists():
        pytest.fail(f"Prism is not installed: run `{INSTALL}` in {REPO} (.ci/run does it)")
    if not SPEC.exists():
        pytest.fail(f"Twilio's OpenAPI description is missing at {SPEC} (the shared/ directory beside the repo)")
    port = _free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_answering(process, f"http://127.0.0.1:{port}", log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_answering(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Prism exited with {process.returncode}: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            opener.open(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.25)
    pytest.fail(
        f"Prism did not answer within {START_TIMEOUT_SECONDS} s: {log_path.read_text(errors='replace')[-2000:]}"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
