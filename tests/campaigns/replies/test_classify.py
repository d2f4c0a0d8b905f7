"""classify_reply: a pure function, tested on replies as grid leaders, liaisons and households type them."""

from __future__ import annotations

import pytest

from campaigns.replies.classify import classify_reply, normalize_text
from campaigns.replies.keywords import DEFAULT_KEYWORDS, KEYWORD_INTENTS

ALL = {
    intent: [word for lists in DEFAULT_KEYWORDS.values() for word in lists.get(intent, ())]
    for intent in KEYWORD_INTENTS
}
ZH, BO, EN = DEFAULT_KEYWORDS["zh"], DEFAULT_KEYWORDS["bo"], DEFAULT_KEYWORDS["en"]
FIELDS = [
    {"key": "returnees", "label": "返乡人员", "names": ["返乡", "returnee", "ཕྱིར་ལོག"]},
    {"key": "fever", "label": "发热", "names": ["发烧", "ཚ་བ"]},
    {"key": "livestock_deaths", "label": "牲畜死亡", "names": ["死亡牲畜", "牛死", "羊死"]},
]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("1", "confirm"),
        ("１", "confirm"),  # full-width digit
        ("༡", "confirm"),  # Tibetan digit one
        (" 1 ", "confirm"),
        ("收到", "confirm"),
        ("收到！", "confirm"),
        ("已收到，谢谢", "confirm"),
        ("好的", "confirm"),
        ("是", "confirm"),
        ("嗯嗯", "unknown"),
        ("收到了，明天去", "confirm"),
        ("OK", "confirm"),
        ("ok thanks", "confirm"),
        ("Yes.", "confirm"),
        ("Got it", "confirm"),
        ("ལགས", "confirm"),
        ("ལགས།", "confirm"),
        ("ཡིན་", "confirm"),
        ("ཧ་གོ་སོང་།", "confirm"),
        ("འབྱོར་སོང་ ཐུགས་རྗེ་ཆེ", "confirm"),
        ("0", "zero_report"),
        ("０", "zero_report"),
        ("༠", "zero_report"),
        ("〇", "zero_report"),
        ("零", "zero_report"),
        ("零报告", "zero_report"),
        ("今日零报告", "zero_report"),
        ("秀玛村一组今日零报告。", "zero_report"),
        ("无", "zero_report"),
        ("没有", "zero_report"),
        ("一切正常", "zero_report"),
        ("无异常", "zero_report"),
        ("今天没有异常情况", "zero_report"),
        ("没有发热", "zero_report"),
        ("收到，今天正常", "zero_report"),
        ("nothing to report", "zero_report"),
        ("All clear", "zero_report"),
        ("གནད་དོན་མེད།", "zero_report"),
        ("ཀླད་ཀོར", "zero_report"),
        ("不正常", "incident"),
        ("有人发烧", "incident"),
        ("村里雪灾，一户被困", "incident"),
        ("fever in the third household", "incident"),
        ("ན་ཚ་ཡོད།", "incident"),
        ("没收到", "unknown"),
        ("没有收到", "unknown"),
        ("还未收到通知", "unknown"),
        ("not received", "unknown"),
        ("མ་འབྱོར།", "unknown"),
        ("不好", "unknown"),
        ("明天开会吗", "unknown"),
        ("", "unknown"),
        ("   ", "unknown"),
        ("13800000001", "unknown"),
        ("STOP", "opt_out"),
        ("stop.", "opt_out"),
        ("Stop", "opt_out"),
        ("UNSUBSCRIBE", "opt_out"),
        ("退订", "opt_out"),
        ("退订。", "opt_out"),
        ("TD", "opt_out"),
        ("td", "opt_out"),
        ("Ｔ", "opt_out"),
        ("取消", "opt_out"),
        ("མཚམས་འཇོག", "opt_out"),
        ("不要退订", "unknown"),  # opt-out words count only as the whole message
        ("stop sending", "unknown"),
        ("START", "opt_in"),
        ("订阅", "opt_in"),
        ("恢复订阅", "opt_in"),
        ("HELP", "help"),
        ("help", "help"),
        ("?", "help"),
        ("？", "help"),
        ("？？", "help"),
        ("帮助", "help"),
        ("求助", "help"),
        ("རོགས་རམ", "help"),
    ],
)
def test_intent(text, intent):
    assert classify_reply(text, ALL).intent == intent


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("返乡2人 发热1人", {"returnees": 2, "fever": 1}),
        ("返乡2人发热1人", {"returnees": 2, "fever": 1}),
        ("返乡人员2名，发热1人", {"returnees": 2, "fever": 1}),
        ("今天返乡2人，10点前到家", {"returnees": 2}),
        ("11月23日 返乡2人", {"returnees": 2}),
        ("收到，返乡1人", {"returnees": 1}),
        ("村里有2人返乡，发烧1人", {"returnees": 2, "fever": 1}),
        ("2人返乡", {"returnees": 2}),
        ("我家有3头牛死了", {"livestock_deaths": 3}),
        ("returnees 2 fever 1", {"returnees": 2, "fever": 1}),
        ("Returnees: 2; Fever: 1", {"returnees": 2, "fever": 1}),
        ("2 returnees, 1 fever", {"returnees": 2, "fever": 1}),
        ("returnee 1", {"returnees": 1}),
        ("ཕྱིར་ལོག་༢ ཚ་བ་༡", {"returnees": 2, "fever": 1}),
        ("ཕྱིར་ལོག་༢། ཚ་བ་༠།", {"returnees": 2, "fever": 0}),
        ("２ １", {"returnees": 2, "fever": 1}),  # positional, full-width
        ("༢ ༡ ༠", {"returnees": 2, "fever": 1, "livestock_deaths": 0}),  # positional, Tibetan digits
        ("2,1,0,4", {"returnees": 2, "fever": 1, "livestock_deaths": 0, "4": 4}),
        ("3", {"returnees": 3}),
    ],
)
def test_incident_counts_map_to_fields(text, counts):
    result = classify_reply(text, ALL, FIELDS)
    assert (result.intent, result.counts) == ("incident", counts)


def test_counts_without_fields_keep_the_names_used():
    assert classify_reply("返乡2人 发热1人", ZH).counts == {"返乡": 2, "发热": 1}
    assert classify_reply("2 1", ZH).counts == {"1": 2, "2": 1}


def test_a_single_number_other_than_0_or_1_needs_fields():
    assert classify_reply("3", ALL).intent == "unknown"
    assert classify_reply("3", ALL, FIELDS).counts == {"returnees": 3}


@pytest.mark.parametrize("text", ["0 0", "０ ０", "返乡0人 发热0人", "returnees 0 fever 0", "༠ ༠"])
def test_all_zero_counts_are_a_zero_report(text):
    result = classify_reply(text, ALL, FIELDS)
    assert result.intent == "zero_report"
    assert set(result.counts.values()) == {0}


def test_bare_digits_follow_the_documented_precedence():
    assert classify_reply("0", ALL, FIELDS).intent == "zero_report"
    assert classify_reply("1", ALL, FIELDS).intent == "confirm"
    assert classify_reply("1", ALL, FIELDS).counts == {}


def test_a_phone_number_or_year_is_not_a_count():
    assert classify_reply("我的新号码13800000077", ALL, FIELDS).intent == "unknown"


def test_keywords_of_one_language_only():
    assert classify_reply("ལགས", ZH).intent == "unknown"
    assert classify_reply("ལགས", BO).intent == "confirm"
    assert classify_reply("yes", EN).intent == "confirm"


def test_staff_keywords_extend_the_lists():
    keywords = {**ZH, "confirm": [*ZH["confirm"], "ＯＫ啦"]}  # stored or not, keywords are normalized too
    assert classify_reply("ok啦", keywords).intent == "confirm"
    assert classify_reply("ok啦", ZH).intent == "unknown"


def test_a_word_in_two_lists_takes_the_higher_priority():
    keywords = {"confirm": ["t"], "opt_out": ["t"]}
    assert classify_reply("T", keywords).intent == "opt_out"


def test_normalized_text_is_kept():
    result = classify_reply("  返乡２人   发热１人 ", ALL, FIELDS)
    assert result.normalized == "返乡2人 发热1人"
    assert normalize_text("ＳＴＯＰ") == "stop"
    assert normalize_text("༡༢༣") == "123"
    assert normalize_text("ཡིན་") == "ཡིན"


@pytest.mark.parametrize(
    ("text", "intent", "counts"),
    [
        ("无发热", "zero_report", {"fever": 0}),
        ("没有发烧", "zero_report", {"fever": 0}),
        ("返乡1人 无发热", "incident", {"returnees": 1, "fever": 0}),
        ("返乡1人，无发热", "incident", {"returnees": 1, "fever": 0}),
        ("未返乡，发热1人", "incident", {"returnees": 0, "fever": 1}),
        ("发热1人 无返乡人员", "incident", {"fever": 1, "returnees": 0}),
        ("no fever", "zero_report", {"fever": 0}),
        ("returnees 1, no fever", "incident", {"returnees": 1, "fever": 0}),
        ("ཚ་བ་མེད།", "zero_report", {"fever": 0}),
    ],
)
def test_a_negated_field_zeroes_its_count(text, intent, counts):
    result = classify_reply(text, ALL, FIELDS)
    assert (result.intent, result.counts) == (intent, counts)
