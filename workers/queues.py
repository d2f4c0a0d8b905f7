"""The RQ queues, by name. A worker started without queue names listens to all of them, most urgent first: alerts'
sending before any routine sending (workers/lane.py)."""

from __future__ import annotations

from redis import Redis
from rq import Queue

ALERTS = "alerts"
SENDS = "sends"
IMPORTS = "imports"
AUDIO = "audio"
DEFAULT = "default"

ALL_QUEUES: tuple[str, ...] = (ALERTS, SENDS, IMPORTS, AUDIO, DEFAULT)


def queue(name: str, connection: Redis) -> Queue:
    """The queue called `name` on `connection`."""
    return Queue(name, connection=connection)
