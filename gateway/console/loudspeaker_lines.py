"""The run page's villages confirmed by loudspeaker, with the play's clock time in the campaign's time zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from campaigns.identity.access import Actor
from campaigns.loudspeakers.village_confirmations import village_confirmations
from gateway.web.session import db


def loudspeaker_lines(actor: Actor, run_id: int, timezone: str) -> list[dict[str, Any]]:
    """Each village a loudspeaker confirmed for the run: grid name, speaker name and local "HH:MM" of the play."""
    zone = ZoneInfo(timezone or "Asia/Shanghai")
    return [
        {
            "grid_name": village["grid_name"],
            "speaker": village["speaker"]["name"] if village["speaker"] else "",
            "clock": datetime.fromisoformat(village["played_at"]).astimezone(zone).strftime("%H:%M"),
        }
        for village in village_confirmations(db(), actor, run_id)
    ]
