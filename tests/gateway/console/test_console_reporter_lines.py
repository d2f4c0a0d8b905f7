"""The console's incidents show the grid's summed counts and each reporter's line under them."""

from __future__ import annotations

import re

from campaigns.models import Contact
from campaigns.models.base import utcnow
from campaigns.reports.daily_reports import record_report
from tests.console_helpers import logged_in
from tests.report_factories import build_report_world, make_duty


def test_an_incident_shows_each_reporters_line(client, session_factory, tree):
    now = utcnow()
    with session_factory.begin() as session:
        world = build_report_world(session, tree)
        make_duty(session, world)
        for name, counts, text in [("一组长", {"returnees": 2}, "返乡2人"), ("一组联户长", {"returnees": 1}, "返乡1人"),
                                   ("一组联户长", {"returnees": 1}, "更正：返乡1人")]:  # fmt: skip
            contact = session.get(Contact, world[name])
            record_report(session, contact=contact, kind="incident", counts=counts, text=text, inbound=None, now=now)
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get("/console/reports").get_data(as_text=True)
    assert "返乡人员 3;" in page
    lines = re.search(r'data-testid="reporter-lines">(.*?)</ul>', page, re.S).group(1)
    assert [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", lines, re.S)] == [
        "一组长： 返乡人员 2;",
        "一组联户长： 返乡人员 1;",
    ]
