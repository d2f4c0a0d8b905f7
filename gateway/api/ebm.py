"""GET /api/v1/campaigns/{id}/ebm.xml: an alert as an EBM (应急广播消息) for a county emergency-broadcast platform."""

from __future__ import annotations

from typing import Literal

from flask import Response
from pydantic import Field

from campaigns.broadcasts.ebm_export import DRILL_MSG_TYPES, EbmOptions, campaign_ebm_document
from campaigns.models.base import utcnow
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.common import QueryModel
from gateway.api.schema import context, responses, validated
from gateway.runtime import current_runtime
from gateway.web.session import db

EBM_EXAMPLE = """<?xml version='1.0' encoding='utf-8'?>
<EBD><EBDVersion>1</EBDVersion><EBDID>10462302500000001030101012026120300000001</EBDID><EBDType>EBM</EBDType><SRC>
<EBRID>46230250000000103010101</EBRID></SRC><EBDTime>2026-12-03 21:26:20</EBDTime><EBM><EBMVersion>1</EBMVersion>
<EBMID>46230250000000103010101202612030001</EBMID><MsgBasicInfo><MsgType>1</MsgType><SenderName>齐哈玛镇</SenderName>
<SenderCode>46230250000000103010101</SenderCode><SendTime>2026-12-03 21:26:20</SendTime><EventType>暴雪</EventType>
<Severity>2</Severity><StartTime>2030-11-23 18:00:00</StartTime><EndTime>2030-11-24 18:00:00</EndTime>
</MsgBasicInfo><MsgContent><LanguageCode>zho</LanguageCode><MsgTitle>暴雪橙色预警</MsgTitle>
<MsgDesc>暴雪预警：今晚至明天有暴雪，请把牲畜赶进圈舍。</MsgDesc><AreaCode>623025101000</AreaCode><Auxiliary>
<AuxiliaryType>2</AuxiliaryType>
<AuxiliaryDesc>d0c0d974d33cc4fc5a3dbcc21f4259a603733e2083f9eda54628562b6d6755f1.mp3</AuxiliaryDesc>
<Size>56632</Size><Digest>d0c0d974d33cc4fc5a3dbcc21f4259a603733e2083f9eda54628562b6d6755f1</Digest></Auxiliary>
</MsgContent><MsgContent><LanguageCode>bod</LanguageCode><MsgTitle>暴雪橙色预警</MsgTitle>
<MsgDesc>ཁ་བ་ཆེན་པོ་འབབ་ཉེན།</MsgDesc><AreaCode>623025101000</AreaCode></MsgContent></EBM></EBD>"""


class EbmQuery(QueryModel):
    event_code: str | None = Field(
        default=None,
        pattern=r"^[0-9A-Z]{5}$",
        description="the national event type code for EventType (default: the alert's event type as written)",
        examples=["11B03"],
    )
    drill_type: Literal[tuple(DRILL_MSG_TYPES)] = Field(  # type: ignore[valid-type]
        default="platform",
        description="how far a drill goes: MsgType 3 (platform), 4 (front_end: transmitters) or 5 (terminal)",
    )


@api.get(f"/campaigns/<{ID}:campaign_id>/ebm.xml")
@validated(
    query=EbmQuery,
    resp=responses((404, 409, 422), HTTP_200=None),
    tags=("loudspeakers",),
    operation_id="getCampaignEbm",
    media={
        200: (
            "The EBM in its EBD envelope",
            {"application/xml": {"schema": {"type": "string"}, "example": EBM_EXAMPLE}},
        )
    },
)
def campaign_ebm(campaign_id: int):
    """An alert as an EBM for a county emergency-broadcast platform: severity 1..4, MsgType 1, 2 (cancel) or a drill
    type, the EBM it follows, one MsgContent per language with the area's division codes and its audio

    Needs GRIDCAST_EBM_RESOURCE_CODE (409 without); a routine campaign, or an area whose grids have no division code
    on them or above them, is a 409 too. What is assumed about the format: docs/alerts.md.
    """
    query: EbmQuery = context().query
    options = EbmOptions(resource_code=current_runtime().settings.ebm_resource_code, **query.model_dump())
    document = campaign_ebm_document(db(), current_actor(), campaign_id, options, utcnow())
    return Response(document, content_type="application/xml; charset=utf-8")
