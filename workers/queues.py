"""The RQ queues, by name. A worker started without queue names listens to all of them, most urgent first."""

from __future__ import annotations

from redis import Redis
from rq import Queue

SENDS = "sends"
IMPORTS = "imports"
AUDIO = "audio"
DEFAULT = "default"

ALL_QUEUES: tuple[str, ...] = (SENDS, IMPORTS, AUDIO, DEFAULT)


def queue(name: str, connection: Redis) -> Queue:
    """The queue called `name` on `connection`."""
    return Queue(name, connection=connection)
