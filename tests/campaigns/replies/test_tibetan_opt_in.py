"""The Tibetan opt-out reply names words a herder can really send to opt back in: a Tibetan keyword and a digit
(typed in Tibetan or Arabic digits), each tried end to end through the reply path (both backends)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.models import Contact
from campaigns.replies.auto_replies import DEFAULT_REPLIES
from campaigns.replies.keywords import DEFAULT_KEYWORDS, OPT_IN_DIGIT
from tests.factories import NOW, add_contact
from tests.reply_helpers import add_duty, receive, replies_to

CIRANG = "+8613800000001"  # 才让, Tibetan, SMS
LATER = NOW + timedelta(minutes=5)


def opted_out(session_factory, phone: str) -> bool:
    with session_factory() as session:
        return session.scalar(select(Contact.opted_out_at).where(Contact.phone == phone)) is not None


def test_the_tibetan_opt_out_reply_names_a_tibetan_word_and_a_digit_not_start():
    reply = DEFAULT_REPLIES["bo"]["opt_out"]
    assert not re.search(r"[A-Za-z]", reply)
    assert [word for word in DEFAULT_KEYWORDS["bo"]["opt_in"] if word in reply]
    assert re.findall(r"\d", reply) == [OPT_IN_DIGIT]


def test_the_tibetan_opt_in_reply_names_a_tibetan_stop_word():
    reply = DEFAULT_REPLIES["bo"]["opt_in"]
    assert not re.search(r"[A-Za-z]", reply)
    assert [word for word in DEFAULT_KEYWORDS["bo"]["opt_out"] if word in reply]


def words_named_in_the_opt_out_reply() -> list[str]:
    reply = DEFAULT_REPLIES["bo"]["opt_out"]
    tibetan = [word for word in DEFAULT_KEYWORDS["bo"]["opt_in"] if word in reply]
    return [*tibetan, *re.findall(r"\d", reply)]


@pytest.mark.parametrize("typed", [*words_named_in_the_opt_out_reply(), "༩", "འགོ་འཛུགས།"])
def test_each_word_of_the_tibetan_opt_out_reply_opts_the_herder_back_in(session_factory, people, typed):
    stop = receive(session_factory, CIRANG, "མཚམས་འཇོག")
    assert stop["opted_out"] and opted_out(session_factory, CIRANG)
    start = receive(session_factory, CIRANG, typed, LATER + timedelta(minutes=1))
    assert (start["intent"], start["opted_in"]) == ("opt_in", True)
    assert not opted_out(session_factory, CIRANG)
    bodies = [reply.body for reply in replies_to(session_factory, CIRANG)]
    assert bodies == [DEFAULT_REPLIES["bo"]["opt_out"], DEFAULT_REPLIES["bo"]["opt_in"]]


def test_the_digit_stays_a_count_for_a_subscribed_reporter(session_factory, people):
    with session_factory.begin() as session:
        add_duty(session, people)
        add_contact(session, people["6230251012010101"], "+8613800000011", "尼玛", role="liaison", language="bo")
    summary = receive(session_factory, "+8613800000011", OPT_IN_DIGIT)
    assert summary["intent"] == "incident" and summary["counts"] == {"returnees": int(OPT_IN_DIGIT)}
