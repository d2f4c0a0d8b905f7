"""A viewer (the read-only role) walks every console page it can reach from the dashboard, over real data (a
launched and sent campaign, a draft, daily reports, an inbox message, a loudspeaker), and sees no write form and no
action button: the only form that posts is the logout in the header (both backends)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from campaigns.identity.access import Actor
from campaigns.loudspeakers.terminals import create_speaker
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from tests.console_helpers import logged_in
from tests.factories import make_campaign
from tests.gateway.api.test_api_reports import world  # noqa: F401  (the daily report fixture)
from tests.reply_helpers import receive, send_run

LOGOUT = "/console/logout"
SKIPPED = ("/console/logout", "/console/language/", "/console/static/")
MAX_PAGES = 200


class _Page(HTMLParser):
    """The links of one page, its forms that post anywhere but the logout, and its buttons or fields outside a GET
    form or the logout form."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.writes: list[str] = []
        self._form: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form":
            self._form = ((attributes.get("method") or "get").lower(), attributes.get("action") or "")
            if self._form[0] == "post" and self._form[1] != LOGOUT:
                self.writes.append(f"form {self._form[1]}")
        elif tag in ("button", "input", "textarea") and attributes.get("type") != "hidden" and self._writes_here():
            self.writes.append(f"{tag} {attributes}")

    def _writes_here(self) -> bool:
        return self._form is None or (self._form[0] == "post" and self._form[1] != LOGOUT)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _make_data(session_factory, world) -> None:  # noqa: F811
    system, now = Actor.system(), utcnow()
    with session_factory.begin() as session:
        make_campaign(session, world, name="草稿通知")
        sent = make_campaign(session, world, name="已发通知", expects_reply=True)
        run_id = launch_campaign(session, system, sent["id"], now).run_id
        create_speaker(session, system, {"name": "秀玛村喇叭", "grid_code": "623025101201",
                                         "languages": ["zh"]},
                       timedelta(hours=1), now)  # fmt: skip
    send_run(session_factory, run_id, now)
    receive(session_factory, "+8613900000001", "收到", now + timedelta(minutes=1))
    receive(session_factory, "+8613900000099", "你好", now + timedelta(minutes=2))


def test_a_viewer_sees_no_write_form_or_button_anywhere(client, session_factory, world):  # noqa: F811
    _make_data(session_factory, world)
    logged_in(client, session_factory, "kan", "viewer", "623025101")
    seen: set[str] = set()
    queue = ["/console/"]
    offending: dict[str, list[str]] = {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        page = _Page()
        page.feed(response.get_data(as_text=True))
        if page.writes:
            offending[path] = page.writes
        for link in page.links:
            target = urlsplit(urljoin("http://localhost" + path, link))
            if target.netloc != "localhost" or not target.path.startswith("/console"):
                continue
            if target.path.startswith(SKIPPED) or target.path.endswith(".csv"):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    visited = {re.sub(r"\d+", "N", path.split("?")[0]) for path in seen}
    for expected in ("/console/campaigns/N", "/console/runs/N", "/console/contacts/N", "/console/speakers/N",
                     "/console/inbox", "/console/reports", "/console/simulator"):  # fmt: skip
        assert expected in visited, sorted(visited)
    assert not offending, offending
