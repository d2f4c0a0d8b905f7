"""GET /api/v1/campaigns/{id}/cap.xml: the campaign as a CAP 1.2 alert, its audio digests read from the store."""

from __future__ import annotations

import hashlib
from typing import Literal

from flask import Response
from pydantic import Field

from audio.store import AudioStore
from campaigns.broadcasts.cap_export import (
    CATEGORIES,
    CERTAINTIES,
    SEVERITIES,
    URGENCIES,
    CapOptions,
    campaign_cap_alert,
)
from campaigns.models.base import utcnow
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.common import QueryModel
from gateway.api.schema import context, responses, validated
from gateway.runtime import current_runtime
from gateway.web.session import db


class StoredFileDigests:
    """SHA-1 of the MP3 files in the audio store (CAP 1.2 digests), read in 1 MB chunks."""

    def __init__(self, store: AudioStore):
        self.store = store

    def sha1_of(self, sha256: str) -> str | None:
        path = self.store.find(sha256)
        if path is None:
            return None
        digest = hashlib.sha1(usedforsecurity=False)
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()


CAP_EXAMPLE = """<?xml version='1.0' encoding='utf-8'?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>gridcast-gc.example.cn-campaign-7-run-3</identifier>
<sender>gridcast@gc.example.cn</sender><sent>2026-11-23T09:00:00+08:00</sent><status>Actual</status>
<msgType>Alert</msgType><scope>Public</scope><info><language>bo</language><category>Health</category>
<event>疫苗接种提醒</event><urgency>Expected</urgency><severity>Minor</severity><certainty>Likely</certainty>
<effective>2026-11-23T09:00:00+08:00</effective><expires>2026-11-24T09:00:00+08:00</expires>
<senderName>齐哈玛镇</senderName><headline>疫苗接种提醒</headline><description>...</description><resource>
<resourceDesc>announcement audio (bo)</resourceDesc><mimeType>audio/mpeg</mimeType><size>48213</size>
<uri>https://gc.example.cn/audio/9f2c...e1.mp3</uri><digest>3b1f...0a</digest></resource><area>
<areaDesc>齐哈玛镇</areaDesc><geocode><valueName>gridcast:grid_code</valueName><value>623025101</value></geocode>
</area></info></alert>"""


class CapQuery(QueryModel):
    category: Literal[CATEGORIES] = Field(default="Other", description="CAP category")  # type: ignore[valid-type]
    urgency: Literal[URGENCIES] | None = Field(  # type: ignore[valid-type]
        default=None, description="CAP urgency (default: Expected, an alert's Immediate)", examples=["Expected"]
    )
    severity: Literal[SEVERITIES] = Field(  # type: ignore[valid-type]
        default="Minor", description="CAP severity (an alert gives its own)"
    )
    certainty: Literal[CERTAINTIES] = Field(default="Likely", description="CAP certainty")  # type: ignore[valid-type]


@api.get(f"/campaigns/<{ID}:campaign_id>/cap.xml")
@validated(
    query=CapQuery,
    resp=responses((404, 422), HTTP_200=None),
    tags=("loudspeakers",),
    operation_id="getCampaignCap",
    media={200: ("The CAP 1.2 alert", {"application/xml": {"schema": {"type": "string"}, "example": CAP_EXAMPLE}})},
)
def campaign_cap(campaign_id: int):
    """The campaign as a CAP 1.2 alert: one info per language, its audio as a resource with size and SHA-1 digest,
    the audience grids as the area

    An alert gives its status (Test for a drill), msgType (Alert, Update, Cancel), references, event, severity,
    effective and expires.
    """
    query: CapQuery = context().query
    settings = current_runtime().settings
    options = CapOptions(sender=settings.cap_sender, audio_base_url=settings.public_base_url, **query.model_dump())
    digests = StoredFileDigests(AudioStore(settings.audio_dir))
    document = campaign_cap_alert(db(), current_actor(), campaign_id, digests, options, utcnow())
    return Response(document, content_type="application/xml; charset=utf-8")
