"""OpenAPI description of the daily report routes (duties, board, history, CSV, incidents), with examples."""

from __future__ import annotations

from typing import Any

from gateway.api.spec import PAGE_PARAMS, error_responses, json_request, json_response, page_of, path_id, query_param

DUTY_EXAMPLE = {
    "id": 1,
    "name": "疫情防控零报告",
    "root_grid_id": 2,
    "root_grid_code": "623025101",
    "root_grid_name": "齐哈玛镇",
    "level": "group",
    "reporter_roles": ["grid_leader", "liaison"],
    "fields": [
        {"key": "returnees", "label": "返乡人员", "names": ["返乡", "返乡人员", "ཕྱིར་ལོག"]},
        {"key": "fever", "label": "发热", "names": ["发热", "发烧", "ཚ་བ"]},
    ],
    "timezone": "Asia/Shanghai",
    "deadline": "10:00",
    "reminder_times": ["08:00", "09:30"],
    "escalation_delays": [0, 120],
    "texts": {
        "reminder": {"zh": "{name}：请在{deadline}前报告{grid}今日情况，无事回复0。"},
        "escalation": {"zh": "{name}：{date}{grid}下{count}个网格未报告：{missing}。请督促。"},
    },
    "send_window": {"start": "08:00", "end": "21:00"},
    "active": True,
    "status": "active",
    "ended_at": None,
}
DUTY_INPUT_EXAMPLE = {
    key: DUTY_EXAMPLE[key]
    for key in (
        "name",
        "root_grid_id",
        "level",
        "reporter_roles",
        "fields",
        "deadline",
        "reminder_times",
        "escalation_delays",
        "texts",
        "send_window",
    )
}
_COUNTS = {"reporting": 4, "reported": 3, "zero": 2, "incident": 1, "missing": 1, "percent": 75.0}
BOARD_EXAMPLE = {
    "duty": {"id": 1, "name": "疫情防控零报告", "deadline": "10:00", "timezone": "Asia/Shanghai"},
    "date": "2026-11-23",
    "deadline_passed": True,
    "grid": {
        "grid_id": 2,
        "code": "623025101",
        "name": "齐哈玛镇",
        "level": "township",
        **_COUNTS,
        "children": [
            {
                "grid_id": 3,
                "code": "623025101201",
                "name": "秀玛村",
                "level": "village",
                "reporting": 2,
                "reported": 2,
                "zero": 1,
                "incident": 1,
                "missing": 0,
                "percent": 100.0,
            },
            {
                "grid_id": 6,
                "code": "623025101202",
                "name": "萨合塘村",
                "level": "village",
                "reporting": 2,
                "reported": 1,
                "zero": 1,
                "incident": 0,
                "missing": 1,
                "percent": 50.0,
            },
        ],
    },
}
HISTORY_EXAMPLE = {
    "duty": {"id": 1, "name": "疫情防控零报告"},
    "grid_id": 2,
    "days": [
        {"date": "2026-11-22", "reporting": 4, "reported": 4, "zero": 4, "incident": 0, "missing": 0, "percent": 100.0},
        {"date": "2026-11-23", **_COUNTS},
    ],
}
INCIDENT_EXAMPLE = {
    "id": 31,
    "duty_id": 1,
    "duty_name": "疫情防控零报告",
    "date": "2026-11-23",
    "grid": {"id": 11, "code": "62302510120102", "name": "秀玛村二组"},
    "grid_path": "玛曲县 / 齐哈玛镇 / 秀玛村 / 秀玛村二组",
    "counts": [{"key": "returnees", "label": "返乡人员", "value": 3}, {"key": "fever", "label": "发热", "value": 0}],
    "text": "返乡2人，已居家观察\n返乡1人 无发热",
    "reporters": [
        {
            "contact_id": 76,
            "name": "卓玛",
            "counts": [{"key": "returnees", "label": "返乡人员", "value": 2}],
            "text": "返乡2人，已居家观察",
            "reported_at": "2026-11-23T00:55:00+00:00",
        },
        {
            "contact_id": 77,
            "name": "才让",
            "counts": [
                {"key": "returnees", "label": "返乡人员", "value": 1},
                {"key": "fever", "label": "发热", "value": 0},
            ],
            "text": "返乡1人 无发热",
            "reported_at": "2026-11-23T01:10:00+00:00",
        },
    ],
    "reporter": {"contact_id": 77, "name": "才让"},
    "reported_at": "2026-11-23T01:10:00+00:00",
    "handled": False,
    "handled_at": None,
    "handled_by": None,
}
BOARD_CSV_EXAMPLE = (
    "\ufeffdate,code,name,level,path,status,reporting,reported,zero,incident,missing,percent,counts,text\r\n"
    "2026-11-23,623025101,齐哈玛镇,township,齐哈玛镇,,4,3,2,1,1,75.0,,\r\n"
    "2026-11-23,62302510120102,秀玛村二组,group,齐哈玛镇/秀玛村/秀玛村二组,incident,1,1,0,1,0,100.0,returnees=2,返乡2人\r\n"
)

_TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}
_NODE_COUNTS = {
    "reporting": {"type": "integer"},
    "reported": {"type": "integer"},
    "zero": {"type": "integer"},
    "incident": {"type": "integer"},
    "missing": {"type": "integer"},
    "percent": {"type": "number", "nullable": True},
}
SCHEMAS: dict[str, Any] = {
    "ReportDuty": {
        "type": "object",
        "required": ["id", "name", "root_grid_id", "level", "reporter_roles", "deadline", "active"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "root_grid_id": {"type": "integer"},
            "root_grid_code": {"type": "string"},
            "root_grid_name": {"type": "string"},
            "level": {"type": "string"},
            "reporter_roles": {"type": "array", "items": {"type": "string"}},
            "fields": {"type": "array", "items": {"$ref": "#/components/schemas/ReportField"}},
            "timezone": {"type": "string"},
            "deadline": {"type": "string", "example": "10:00"},
            "reminder_times": {"type": "array", "items": {"type": "string"}},
            "escalation_delays": {"type": "array", "items": {"type": "integer"}},
            "texts": {"type": "object", "properties": {"reminder": _TEXTS, "escalation": _TEXTS}},
            "send_window": {"type": "object", "nullable": True},
            "active": {"type": "boolean"},
            "status": {"type": "string", "enum": ["active", "paused", "ended"]},
            "ended_at": {"type": "string", "format": "date-time", "nullable": True},
        },
    },
    "ReportField": {
        "type": "object",
        "required": ["key"],
        "properties": {
            "key": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,31}$"},
            "label": {"type": "string"},
            "names": {"type": "array", "items": {"type": "string"}, "description": "words the classifier maps here"},
        },
    },
    "ReportDutyInput": {
        "type": "object",
        "description": "level: the level of the grids that report (below the root's); reminder_times: local times "
        "before the deadline; escalation_delays: minutes before each escalation step, the first counted from the "
        "deadline (parent grids' leaders), each next from the previous step (one level further up, never above the "
        "root); texts placeholders: {name} {grid} {duty} {deadline} {date}, escalation also {count} {missing}",
        "properties": {
            "name": {"type": "string"},
            "root_grid_id": {"type": "integer"},
            "level": {"type": "string"},
            "reporter_roles": {"type": "array", "items": {"type": "string"}},
            "fields": {"type": "array", "items": {"$ref": "#/components/schemas/ReportField"}},
            "timezone": {"type": "string"},
            "deadline": {"type": "string"},
            "reminder_times": {"type": "array", "items": {"type": "string"}},
            "escalation_delays": {"type": "array", "items": {"type": "integer"}},
            "texts": {"type": "object"},
            "send_window": {"type": "object", "nullable": True},
            "active": {"type": "boolean"},
        },
    },
    "BoardNode": {
        "type": "object",
        "required": ["grid_id", "code", "name", "level", *_NODE_COUNTS],
        "properties": {
            "grid_id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "level": {"type": "string"},
            **_NODE_COUNTS,
            "status": {"type": "string", "enum": ["zero_report", "incident", "missing"]},
            "report_id": {"type": "integer", "nullable": True},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/BoardNode"}},
        },
    },
    "Board": {
        "type": "object",
        "required": ["duty", "date", "deadline_passed", "grid"],
        "properties": {
            "duty": {"type": "object"},
            "date": {"type": "string", "format": "date"},
            "deadline_passed": {"type": "boolean"},
            "grid": {"$ref": "#/components/schemas/BoardNode"},
        },
    },
    "ReportHistory": {
        "type": "object",
        "required": ["duty", "grid_id", "days"],
        "properties": {
            "duty": {"type": "object"},
            "grid_id": {"type": "integer"},
            "days": {
                "type": "array",
                "items": {"type": "object", "properties": {"date": {"type": "string"}, **_NODE_COUNTS}},
            },
        },
    },
    "Incident": {
        "type": "object",
        "required": ["id", "duty_id", "date", "grid", "grid_path", "counts", "text", "reporters", "handled"],
        "properties": {
            "id": {"type": "integer"},
            "duty_id": {"type": "integer"},
            "duty_name": {"type": "string"},
            "date": {"type": "string"},
            "grid": {"type": "object"},
            "grid_path": {"type": "string"},
            "counts": {
                "type": "array",
                "description": "the grid's figures: each field summed over its reporters' latest numbers",
                "items": {"type": "object"},
            },
            "text": {"type": "string"},
            "reporters": {
                "type": "array",
                "description": "each reporter's line: their latest numbers (a correction replaces only their own)",
                "items": {
                    "type": "object",
                    "required": ["contact_id", "name", "counts", "text", "reported_at"],
                    "properties": {
                        "contact_id": {"type": "integer", "nullable": True},
                        "name": {"type": "string", "nullable": True},
                        "counts": {"type": "array", "items": {"type": "object"}},
                        "text": {"type": "string"},
                        "reported_at": {"type": "string"},
                    },
                },
            },
            "reporter": {"type": "object", "nullable": True, "description": "who reported last"},
            "reported_at": {"type": "string"},
            "handled": {"type": "boolean"},
            "handled_at": {"type": "string", "nullable": True},
            "handled_by": {"type": "string", "nullable": True},
        },
    },
}

_DUTY = {"$ref": "#/components/schemas/ReportDuty"}
_DUTY_ID = query_param(
    "duty_id", "the duty (may be left out when only one active duty covers your grids)", {"type": "integer"}, 1
)
_GRID_ID = query_param(
    "grid_id", "the board's top grid (default: the duty's root, or your scope grid)", {"type": "integer"}, 2
)
_DATE = query_param(
    "date", "the day (default: today in the duty's time zone)", {"type": "string", "format": "date"}, "2026-11-23"
)
_TAGS = ["reports"]

PATHS: dict[str, Any] = {
    "/api/v1/reports/duties": {
        "get": {
            "tags": _TAGS,
            "operationId": "listReportDuties",
            "summary": "Report duties covering your grids",
            "parameters": [query_param("active", "only active (or inactive) duties", {"type": "boolean"}, True)],
            "responses": {
                "200": json_response(
                    "The duties",
                    {"type": "object", "properties": {"items": {"type": "array", "items": _DUTY}}},
                    {"items": [DUTY_EXAMPLE]},
                ),
                **error_responses(422),
            },
        },
        "post": {
            "tags": _TAGS,
            "operationId": "createReportDuty",
            "summary": "Create a daily report duty for a root grid in your scope",
            "requestBody": json_request({"$ref": "#/components/schemas/ReportDutyInput"}, DUTY_INPUT_EXAMPLE),
            "responses": {"201": json_response("The duty", _DUTY, DUTY_EXAMPLE), **error_responses(400, 403, 404, 422)},
        },
    },
    "/api/v1/reports/duties/{duty_id}": {
        "parameters": [path_id("duty_id", "the duty's id")],
        "get": {
            "tags": _TAGS,
            "operationId": "getReportDuty",
            "summary": "One report duty",
            "responses": {"200": json_response("The duty", _DUTY, DUTY_EXAMPLE), **error_responses(404)},
        },
        "patch": {
            "tags": _TAGS,
            "operationId": "updateReportDuty",
            "summary": "Change a duty that has not ended (its deadline, reminder times, or `active: false` to pause)",
            "requestBody": json_request({"$ref": "#/components/schemas/ReportDutyInput"}, {"deadline": "11:00"}),
            "responses": {
                "200": json_response("The duty", _DUTY, {**DUTY_EXAMPLE, "deadline": "11:00"}),
                **error_responses(400, 403, 404, 409, 422),
            },
        },
    },
    "/api/v1/reports/board": {
        "get": {
            "tags": _TAGS,
            "operationId": "getReportBoard",
            "summary": "Which grids reported on a day (zero report, incident, missing), rolled up the tree",
            "parameters": [
                _DUTY_ID,
                _DATE,
                _GRID_ID,
                query_param(
                    "depth",
                    "levels shown under the top grid (0-8, default 1)",
                    {"type": "integer", "minimum": 0, "maximum": 8},
                    1,
                ),
            ],
            "responses": {
                "200": json_response("The board", {"$ref": "#/components/schemas/Board"}, BOARD_EXAMPLE),
                **error_responses(404, 422),
            },
        },
    },
    "/api/v1/reports/history": {
        "get": {
            "tags": _TAGS,
            "operationId": "getReportHistory",
            "summary": "Reported, zero, incident and missing per day over the last days",
            "parameters": [
                _DUTY_ID,
                _GRID_ID,
                query_param(
                    "days",
                    "how many days, today included (7 or 30; 1-90)",
                    {"type": "integer", "minimum": 1, "maximum": 90},
                    7,
                ),
            ],
            "responses": {
                "200": json_response("The history", {"$ref": "#/components/schemas/ReportHistory"}, HISTORY_EXAMPLE),
                **error_responses(404, 422),
            },
        },
    },
    "/api/v1/reports/board.csv": {
        "get": {
            "tags": _TAGS,
            "operationId": "exportReportBoard",
            "summary": "The whole board of a day as CSV, one row per grid (cells defused against formulas)",
            "parameters": [_DUTY_ID, _DATE, _GRID_ID],
            "responses": {
                "200": {
                    "description": "CSV (UTF-8 with BOM)",
                    "content": {"text/csv": {"schema": {"type": "string"}, "example": BOARD_CSV_EXAMPLE}},
                },
                **error_responses(404, 422),
            },
        },
    },
    "/api/v1/reports/incidents": {
        "get": {
            "tags": _TAGS,
            "operationId": "listIncidents",
            "summary": "Incident reports in your scope, newest first",
            "parameters": [
                _DUTY_ID,
                _DATE,
                query_param("handled", "handled or not", {"type": "boolean"}, False),
                query_param("grid_id", "only this grid's subtree", {"type": "integer"}),
                *PAGE_PARAMS,
            ],
            "responses": {
                "200": json_response(
                    "A page of incidents",
                    page_of("#/components/schemas/Incident"),
                    {"items": [INCIDENT_EXAMPLE], "total": 1, "page": 1, "per_page": 50},
                ),
                **error_responses(404, 422),
            },
        },
    },
    "/api/v1/reports/incidents/{report_id}/handled": {
        "parameters": [path_id("report_id", "the incident's id")],
        "post": {
            "tags": _TAGS,
            "operationId": "markIncidentHandled",
            "summary": "Mark an incident handled (by you); marking it again changes nothing",
            "responses": {
                "200": json_response(
                    "The incident",
                    {"$ref": "#/components/schemas/Incident"},
                    {
                        **INCIDENT_EXAMPLE,
                        "handled": True,
                        "handled_at": "2026-11-23T03:00:00+00:00",
                        "handled_by": "zhaxi",
                    },
                ),
                **error_responses(403, 404, 409),
            },
        },
    },
}
