"""Recording daily reports: who reports for which grid and day, and how a later report of the day merges."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from campaigns.common.errors import ValidationError
from campaigns.models import Contact, DailyReport, ReportDuty
from campaigns.reports.daily_reports import record_report, reporting_duties
from tests.report_factories import duty_world, local, make_duty


@pytest.fixture
def world(session, tree):
    return duty_world(session, tree)


def report(session, world, name, kind="zero_report", counts=None, text="", now=None):
    contact = session.get(Contact, world[name])
    return record_report(session, contact=contact, kind=kind, counts=counts, text=text, inbound=None,
                         now=now or local(9))  # fmt: skip


def test_a_leader_reports_for_their_group_on_the_local_day(session, world):
    saved = report(session, world, "一组长", now=local(0, 30))  # 2026-11-22 16:30 UTC, already the 23rd locally
    assert (saved.grid_id, saved.day, saved.kind) == (world["62302510120101"], date(2026, 11, 23), "zero_report")
    late = report(session, world, "一组长", now=local(23, 59))
    assert late.id == saved.id
    next_day = report(session, world, "一组长", now=local(0, 1, days=1))
    assert next_day.day == date(2026, 11, 24) and next_day.id != saved.id


def test_a_liaison_reports_for_the_group_above_their_household_unit(session, world):
    saved = report(session, world, "一组联户长")
    assert saved.grid_id == world["62302510120101"]
    assert saved.contact_id == world["一组联户长"]


@pytest.mark.parametrize("name", ["户主甲", "秀玛村长", "镇网格长", "欧拉组长"])
def test_contacts_without_a_report_duty_get_none(session, world, name):
    """A household head (role), a village or township leader (above the level), a leader in another township."""
    assert report(session, world, name) is None
    assert session.scalar(select(func.count()).select_from(DailyReport)) == 0


def test_an_inactive_duty_takes_no_reports(session, world):
    session.get(ReportDuty, world["duty"]).active = False
    assert report(session, world, "一组长") is None


def test_an_incident_replaces_a_zero_report_but_never_the_reverse(session, world):
    report(session, world, "一组长")
    incident = report(session, world, "一组联户长", "incident", {"returnees": 2}, "返乡2人", now=local(9, 10))
    assert incident.kind == "incident" and incident.counts == {"returnees": 2} and incident.text == "返乡2人"
    again = report(session, world, "一组长", now=local(9, 20))
    assert again.id == incident.id
    assert (again.kind, again.text, again.contact_id) == ("incident", "返乡2人", world["一组联户长"])
    assert session.scalar(select(func.count()).select_from(DailyReport)) == 1


def test_later_incidents_keep_the_text_and_add_another_reporters_counts(session, world):
    report(session, world, "一组联户长", "incident", {"returnees": 2}, "返乡2人")
    corrected = report(session, world, "一组联户长", "incident", {"returnees": 3, "fever": -1}, "更正：返乡3人")
    assert corrected.counts == {"returnees": 3}
    assert corrected.text == "返乡2人\n更正：返乡3人"
    added = report(session, world, "一组长", "incident", {"returnees": 1, "fever": 1}, "发热1人")
    assert added.counts == {"returnees": 4, "fever": 1}
    assert added.text == "返乡2人\n更正：返乡3人\n发热1人"


def test_unknown_kind_is_refused(session, world):
    with pytest.raises(ValidationError):
        report(session, world, "一组长", kind="confirm")


def test_a_zero_report_counts_for_every_duty_an_incident_for_the_one_it_names(session, world):
    snow = make_duty(session, world, name="雪灾零报告", root_grid_id=world["623025101201"],
                     fields=[{"key": "snowbound", "label": "被困户", "names": ["被困"]}])  # fmt: skip
    contact = session.get(Contact, world["一组长"])
    assert [match.duty.id for match in reporting_duties(session, contact)] == [snow["id"], world["duty"]]
    zero = report(session, world, "一组长")
    assert zero.duty_id == snow["id"]  # the most specific duty's report is returned
    assert session.scalar(select(func.count()).select_from(DailyReport)) == 2
    incident = report(session, world, "一组联户长", "incident", {"returnees": 1}, "返乡1人")
    assert incident.duty_id == world["duty"]
    kinds = dict(session.execute(select(DailyReport.duty_id, DailyReport.kind)).all())
    assert kinds == {snow["id"]: "zero_report", world["duty"]: "incident"}
