"""`GET`/`HEAD /audio/<sha256>.mp3`: clips from the audio store, public on purpose.

Twilio's `<Play>` and the village loudspeakers fetch these URLs without a token; a SHA-256 of an MP3 cannot be
guessed, and the store holds nothing but announcement audio. Only a name of exactly 64 lowercase hex digits plus
`.mp3` reaches the store; anything else is a 404. Responses carry `Content-Type: audio/mpeg`, the SHA-256 as a
strong ETag (If-None-Match gives 304), a single byte range (206, or 416 when unsatisfiable; a malformed or
multiple range is ignored, as RFC 9110 allows, and the whole file sent) and a year-long, immutable Cache-Control:
the bytes behind a name never change.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, request, send_file

from audio.store import AudioStore
from gateway.runtime import current_runtime

audio_files = Blueprint("audio_files", __name__)

_NAME = re.compile(r"([0-9a-f]{64})\.mp3")
ONE_YEAR_SECONDS = 365 * 24 * 3600


@audio_files.get("/audio/<name>")
def download(name: str) -> Response:
    match = _NAME.fullmatch(name)
    if match is None:
        abort(404)
    sha256 = match.group(1)
    path = AudioStore(current_runtime().settings.audio_dir).find(sha256)
    if path is None:
        abort(404)
    if request.range is None or request.range.units != "bytes" or len(request.range.ranges) != 1:
        request.environ.pop("HTTP_RANGE", None)  # a malformed, foreign-unit or multiple range: the whole file
    response = send_file(path, mimetype="audio/mpeg", conditional=True, etag=sha256, max_age=ONE_YEAR_SECONDS)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["Accept-Ranges"] = "bytes"
    return response
