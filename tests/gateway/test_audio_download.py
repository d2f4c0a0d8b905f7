"""`GET`/`HEAD /audio/<sha256>.mp3` through a real HTTP server and client: type, ETag and 304, single ranges (206,
416), caching, and 404 for unknown, malformed and path-traversing names."""

from __future__ import annotations

import http.client
import threading

import pytest
from werkzeug.serving import make_server

from audio.store import AudioStore
from campaigns.common.settings import Settings
from gateway.app import create_app
from tests.audio_helpers import tone
from tests.conftest import TEST_SECRET_KEY


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A gateway on a free port whose audio store holds one clip; a secret file sits next to the store."""
    var = tmp_path_factory.mktemp("var")
    settings = Settings.from_env(
        {"GRIDCAST_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var / 'unused.db'}", "SECRET_KEY": TEST_SECRET_KEY}
    )
    data = tone(var / "clip.mp3", seconds=1.0)
    sha = AudioStore(settings.audio_dir).put(data)
    (var / "secret.mp3").write_bytes(b"not for you")
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"port": server.server_port, "sha": sha, "data": data}
    server.shutdown()
    thread.join(5)


def request(served, method: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", served["port"], timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_get_and_head(served):
    path = f"/audio/{served['sha']}.mp3"
    status, headers, body = request(served, "GET", path)
    assert status == 200 and body == served["data"]
    assert headers["content-type"] == "audio/mpeg"
    assert headers["etag"] == f'"{served["sha"]}"'
    assert headers["accept-ranges"] == "bytes"
    assert headers["content-length"] == str(len(served["data"]))
    assert {"public", "immutable", "max-age=31536000"} <= {part.strip() for part in headers["cache-control"].split(",")}

    status, head_headers, body = request(served, "HEAD", path)
    assert status == 200 and body == b""
    assert head_headers["content-length"] == str(len(served["data"])) and head_headers["etag"] == headers["etag"]


def test_if_none_match_gives_304(served):
    path = f"/audio/{served['sha']}.mp3"
    for tag in (f'"{served["sha"]}"', f'W/"{served["sha"]}"', f'"other", "{served["sha"]}"', "*"):
        status, headers, body = request(served, "GET", path, {"If-None-Match": tag})
        assert (status, body) == (304, b""), tag
        assert headers["etag"] == f'"{served["sha"]}"'
    assert request(served, "GET", path, {"If-None-Match": '"something-else"'})[0] == 200


def test_single_ranges_and_unsatisfiable_ones(served):
    path, data = f"/audio/{served['sha']}.mp3", served["data"]
    size = len(data)
    satisfiable = [("bytes=0-99", 0, 99), ("bytes=100-", 100, size - 1), ("bytes=-50", size - 50, size - 1),
                   (f"bytes=10-{size * 2}", 10, size - 1)]  # fmt: skip
    for header, first, last in satisfiable:
        status, headers, body = request(served, "GET", path, {"Range": header})
        assert status == 206, header
        assert headers["content-range"] == f"bytes {first}-{last}/{size}"
        assert body == data[first : last + 1]
        assert headers["content-type"] == "audio/mpeg"

    status, headers, _ = request(served, "GET", path, {"Range": f"bytes={size}-"})
    assert status == 416 and headers["content-range"] == f"bytes */{size}"
    for ignored in ("bytes=0-9,20-29", "bytes=abc", "bytes=9-2", "items=0-5"):
        status, headers, body = request(served, "GET", path, {"Range": ignored})
        assert (status, body) == (200, data), ignored
        assert "content-range" not in headers
    status, _, body = request(served, "GET", path, {"Range": "bytes=0-9", "If-Range": '"an-older-version"'})
    assert (status, body) == (200, data)
    status, _, body = request(served, "GET", path, {"Range": "bytes=0-9", "If-Range": f'"{served["sha"]}"'})
    assert (status, body) == (206, data[:10])


def test_unknown_malformed_and_traversing_names_are_404(served):
    sha = served["sha"]
    for path in (
        f"/audio/{'0' * 64}.mp3",
        f"/audio/{sha.upper()}.mp3",
        f"/audio/{sha}",
        f"/audio/{sha}.wav",
        f"/audio/{sha}.mp3.mp3",
        f"/audio/{sha[:63]}.mp3",
        f"/audio/{sha[:2]}/{sha}.mp3",
        "/audio/../secret.mp3",
        "/audio/..%2Fsecret.mp3",
        "/audio/%2e%2e/secret.mp3",
        "/audio/..%5Csecret.mp3",
        "/audio/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        f"/audio/{sha}.mp3%00.txt",
        "/audio/",
    ):
        status, _, body = request(served, "GET", path)
        assert status == 404, path
        assert b"not for you" not in body
    assert request(served, "HEAD", f"/audio/{'f' * 64}.mp3")[0] == 404
