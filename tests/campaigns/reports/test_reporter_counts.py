"""Incident counts per reporter: the grid's figure is the sum of its reporters' latest numbers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaigns.common import migrate
from campaigns.common.db import make_session_factory
from campaigns.directory.contact_history import contact_history
from campaigns.identity.access import Actor
from campaigns.models import Contact, DailyReport, DailyReportLine
from campaigns.reports.daily_reports import record_report, reporter_lines
from campaigns.reports.incidents import list_incidents
from tests.campaigns.migrations.test_migrations import scratch_engine  # noqa: F401 (a fixture)
from tests.factories import build_demo_tree
from tests.reply_helpers import receive
from tests.report_factories import build_report_world, duty_world, local, make_duty

LEADER, LIAISON = "+8613900000001", "+8613900000002"  # 一组长, 一组联户长 (tests/report_factories.py)


@pytest.fixture
def world(session, tree):
    return duty_world(session, tree)


def report(session, world, name, kind="incident", counts=None, text="", minute=0) -> DailyReport:
    contact = session.get(Contact, world[name])
    return record_report(session, contact=contact, kind=kind, counts=counts, text=text, inbound=None,
                         now=local(9, minute))  # fmt: skip


def lines(session, report_id: int) -> dict[int, dict]:
    return {line.contact_id: line.counts for line in reporter_lines(session, report_id)}


def test_a_liaisons_correction_replaces_only_their_own_numbers(session, world):
    report(session, world, "一组长", counts={"returnees": 2}, text="返乡2人")
    report(session, world, "一组联户长", counts={"returnees": 1}, text="返乡1人", minute=5)
    corrected = report(session, world, "一组联户长", counts={"returnees": 1}, text="返乡1人", minute=10)
    assert corrected.counts == {"returnees": 3}
    assert lines(session, corrected.id) == {world["一组长"]: {"returnees": 2}, world["一组联户长"]: {"returnees": 1}}


def test_a_leaders_correction_replaces_their_numbers_instead_of_adding(session, world):
    report(session, world, "一组长", counts={"returnees": 2}, text="返乡2人")
    report(session, world, "一组联户长", counts={"returnees": 1}, text="返乡1人", minute=5)
    corrected = report(session, world, "一组长", counts={"returnees": 3}, text="更正：返乡3人", minute=10)
    assert corrected.counts == {"returnees": 4}
    assert corrected.text == "返乡2人\n返乡1人\n更正：返乡3人"


def test_a_zero_count_zeroes_only_that_reporters_category(session, world):
    report(session, world, "一组长", counts={"returnees": 2, "fever": 1}, text="返乡2人 发热1人")
    report(session, world, "一组联户长", counts={"fever": 1}, text="发热1人", minute=5)
    corrected = report(session, world, "一组联户长", "zero_report", {"fever": 0}, "无发热", minute=10)
    assert (corrected.kind, corrected.counts) == ("incident", {"returnees": 2, "fever": 1})
    assert lines(session, corrected.id)[world["一组联户长"]] == {"fever": 0}


def test_a_bare_zero_report_changes_no_numbers_but_shows_its_reporter(session, world):
    incident = report(session, world, "一组联户长", counts={"returnees": 2}, text="返乡2人")
    again = report(session, world, "一组长", "zero_report", None, "0", minute=5)
    assert (again.id, again.kind, again.counts) == (incident.id, "incident", {"returnees": 2})
    assert lines(session, incident.id) == {world["一组联户长"]: {"returnees": 2}, world["一组长"]: {}}


def test_incidents_show_each_reporters_line(session, world):
    report(session, world, "一组长", counts={"returnees": 2}, text="返乡2人")
    report(session, world, "一组联户长", counts={"returnees": 1, "fever": 1}, text="返乡1人 发热1人", minute=5)
    item = list_incidents(session, Actor.system()).items[0]
    assert [(count["key"], count["value"]) for count in item["counts"]] == [("returnees", 3), ("fever", 1)]
    assert [(line["name"], [(c["label"], c["value"]) for c in line["counts"]], line["text"])
            for line in item["reporters"]] == [
        ("一组长", [("返乡人员", 2)], "返乡2人"),
        ("一组联户长", [("返乡人员", 1), ("发热", 1)], "返乡1人 发热1人"),
    ]  # fmt: skip


def test_a_contacts_history_keeps_the_reports_they_sent_with_their_own_numbers(session, world):
    report(session, world, "一组长", counts={"returnees": 2}, text="返乡2人")
    report(session, world, "一组联户长", counts={"returnees": 1}, text="返乡1人", minute=5)
    history = contact_history(session, Actor.system(), world["一组长"])
    assert [(item["kind"], item["counts"], item["text"]) for item in history["reports"]] == [
        ("incident", {"returnees": 2}, "返乡2人")
    ]


def test_no_fever_by_sms_zeroes_only_the_senders_fever(session_factory, tree):
    with session_factory.begin() as session:
        make_duty(session, build_report_world(session, tree))
    receive(session_factory, LEADER, "返乡2人 发热1人", local(9))
    receive(session_factory, LIAISON, "发热1人", local(9, 5))
    summary = receive(session_factory, LIAISON, "无发热", local(9, 10))
    assert (summary["intent"], summary["counts"]) == ("zero_report", {"fever": 0})
    with session_factory() as session:
        stored = session.get(DailyReport, summary["report_id"])
        assert (stored.kind, stored.counts) == ("incident", {"returnees": 2, "fever": 1})


def test_the_migration_gives_each_existing_report_its_reporters_line(scratch_engine):  # noqa: F811
    migrate.upgrade(scratch_engine)
    with make_session_factory(scratch_engine).begin() as session:
        world = build_report_world(session, build_demo_tree(session))
        world["duty"] = make_duty(session, world)["id"]
        saved = report(session, world, "一组长", counts={"returnees": 2}, text="返乡2人")
        expected = [(saved.id, world["一组长"], {"returnees": 2}, "返乡2人", saved.reported_at)]
    migrate.downgrade(scratch_engine, "0008")
    migrate.upgrade(scratch_engine)
    with make_session_factory(scratch_engine)() as session:
        columns = (DailyReportLine.report_id, DailyReportLine.contact_id, DailyReportLine.counts,
                   DailyReportLine.text, DailyReportLine.reported_at)  # fmt: skip
        assert [tuple(row) for row in session.execute(select(*columns))] == expected
