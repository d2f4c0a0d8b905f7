"""The composer's server side (both backends): a past schedule is refused, a run that will wait for its send
window is saved with a warning, and the preview shows each language's message rendered for a real recipient."""

from __future__ import annotations

from datetime import timedelta

from campaigns.broadcasts.schedules import window_wait
from campaigns.models.base import utcnow
from tests.console_helpers import logged_in
from tests.report_factories import local


def _form(token: str, grid_id: int, **fields) -> dict:
    return {"csrf_token": token, "name": "接种提醒", "grid_ids": [str(grid_id)], "text_zh": "{name}，明天接种",
            "text_bo": "{name} སང་ཉིན།", "fallback_language": "zh", "schedule_kind": "now", **fields}  # fmt: skip


def test_window_wait_is_the_first_run_and_when_the_window_opens():
    window = {"start": "08:00", "end": "20:00"}
    assert window_wait({"kind": "now"}, window, "Asia/Shanghai", local(9)) is None
    assert window_wait({"kind": "now"}, window, "Asia/Shanghai", local(21)) == (local(21), local(8, days=1))
    assert window_wait({"kind": "once", "at": "2026-11-23T06:30"}, window, "Asia/Shanghai", local(5)) == (
        local(6, 30),
        local(8),
    )
    assert window_wait({"kind": "now"}, None, "Asia/Shanghai", local(21)) is None


def test_saving_warns_of_a_send_window_wait_and_refuses_a_past_time(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    now_local = utcnow() + timedelta(hours=8)
    closed = {"window_start": (now_local + timedelta(hours=2)).strftime("%H:%M"),
              "window_end": (now_local + timedelta(hours=3)).strftime("%H:%M")}  # fmt: skip
    saved = client.post("/console/campaigns/new", data=_form(token, people["623025101"], **closed),
                        follow_redirects=True)  # fmt: skip
    page = saved.get_data(as_text=True)
    assert saved.status_code == 200 and 'class="flash warning"' in page and "不在发送时段" in page
    past = (now_local - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post("/console/campaigns/new",
                          data=_form(token, people["623025101"], schedule_kind="once", schedule_at=past))  # fmt: skip
    assert refused.status_code == 422 and "已经过去" in refused.get_data(as_text=True)
    quiet = client.post("/console/campaigns/new", data=_form(token, people["623025101"]), follow_redirects=True)
    assert "flash warning" not in quiet.get_data(as_text=True)


def test_preview_shows_each_language_for_a_real_recipient(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    created = client.post("/console/campaigns/new", data=_form(token, people["623025101"]))
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    examples = page[page.index('data-testid="examples"') :]
    assert "{name}" not in examples.split("</dl>")[0]
    assert '<p data-language="zh">' in examples and '<p data-language="bo">' in examples
    assert "王芳，明天接种" in examples and "才让 སང་ཉིན།" in examples and "发给 王芳（秀玛村一组）" in examples
    assert "字，共 1 条短信" in examples


def test_the_composer_asks_for_each_languages_example_before_saving(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    form = {**_form(token, people["623025101"]), "text_zh": "{name}，{grid}明天接种", "text_en": "  "}
    answer = client.post("/console/campaigns/examples", data=form)
    assert answer.status_code == 200
    examples = {example["language"]: example for example in answer.json["examples"]}
    assert set(examples) == {"zh", "bo"}  # no English text written: nobody reads one
    assert examples["zh"]["text"] == "王芳，秀玛村一组明天接种" and examples["zh"]["contact"] == "王芳"
    assert examples["bo"]["text"] == "才让 སང་ཉིན།" and examples["bo"]["segments"] == 1
    no_audience = client.post("/console/campaigns/examples", data={**form, "grid_ids": []})
    assert no_audience.json == {"examples": []}


def test_the_composers_example_never_shows_anyone_outside_the_callers_scope(client, session_factory, people):
    token = logged_in(client, session_factory, "lamu", "coordinator", "623025102")
    answer = client.post("/console/campaigns/examples", data=_form(token, people["623025101"]))
    assert answer.status_code == 200 and answer.json == {"examples": []}
    refused = client.post("/console/campaigns/examples", data={**_form(token, people["623025101"]), "csrf_token": ""})
    assert refused.status_code == 400
