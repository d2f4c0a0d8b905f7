"""Messages from the domain services (errors, launch blockers) shown in the console's language.

The services speak English, with numbers, languages and statuses inside their sentences. A message the catalog
knows word for word is looked up there; the common ones with values inside are matched against the patterns of
`MESSAGE_PATTERNS_ZH` and rebuilt in Chinese, their status and channel words translated through the catalog too.
"The campaign cannot launch: a; b" is translated part by part. Anything else stays English (the API's JSON is the
services' English, unchanged). `tests/test_console_messages.py` produces each message with the real services, so a
changed sentence fails the test instead of silently going untranslated.
"""

from __future__ import annotations

import re

from gateway.console.i18n import CATALOGS, translate
from gateway.console.labels import language_name

LAUNCH_PREFIX = "the campaign cannot launch: "
STATUS = r"(?P<status>[a-z_]+)"
LANG = r"(?P<lang>[\w-]+)"
MESSAGE_PATTERNS_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), chinese)
    for pattern, chinese in (
        (rf"(?P<n>\d+) contacts speak {LANG} and the campaign has no text for it and no fallback",
         "有 {n} 位联系人说 {lang}，通知没有这种语言的文本，也没有备用语言"),
        (rf"(?P<n>\d+) contacts speak {LANG} and the campaign has no audio for it \(nor fallback audio\) for "
         r"(?P<channels>.+)",
         "有 {n} 位联系人说 {lang}，通知没有这种语言的音频（也没有备用语言的音频），{channels}无法播放"),
        (rf"(?P<n>\d+) contacts would be called in {LANG} and the voice prompts have no audio in (?P=lang) for: "
         r"(?P<phrases>.+)", "有 {n} 位联系人将用 {lang} 接听电话，但 {lang} 的语音提示缺少音频：{phrases}"),
        (r"this campaign reaches (?P<n>\d+) people \(more than (?P<threshold>\d+)\): a second person must approve it "
         r"before it launches", "此通知发给 {n} 人（超过 {threshold} 人）：发布前须由另一位工作人员批准"),
        (rf"a {STATUS} campaign needs no approval", "“{status}”的通知无需批准"),
        (rf"a {STATUS} campaign cannot be paused", "“{status}”的通知无法暂停"),
        (rf"a {STATUS} campaign with no paused run cannot be resumed", "“{status}”且没有暂停批次的通知无法继续"),
        (rf"the run is already {STATUS}", "该批次已经是“{status}”"),
        (rf"a {STATUS} campaign cannot be edited", "“{status}”的通知无法编辑"),
        (rf"a {STATUS} campaign cannot be launched again; resume it if it is paused",
         "“{status}”的通知不能再次发布；如已暂停，请继续发送"),
        (rf"only a draft can be deleted; a {STATUS} campaign can be archived instead",
         "只有草稿可以删除；“{status}”的通知可以归档"),
        (rf"a {STATUS} campaign cannot be archived: cancel it or let it finish first",
         "“{status}”的通知不能归档：请先取消，或等它发送完"),
        (rf"a {STATUS} campaign's audio cannot change", "“{status}”的通知不能再修改音频"),
        (rf"no speech engine here speaks {LANG}: upload a recording", "本机没有能说 {lang} 的语音引擎：请上传录音"),
        (rf"the campaign has no text in {LANG} to synthesize", "通知没有 {lang} 的文本可供合成"),
        (rf"the {LANG} text has nothing to read aloud", "{lang} 的文本没有可朗读的内容"),
        (r"the schedule's time (?P<at>\S+) \((?P<tz>[\w/+-]+)\) has already passed: choose a time in the future",
         "发送时间 {at}（{tz}）已经过去：请选择将来的时间"),
        (r"the schedule ends on (?P<until>\S+), which has passed: it would never run again",
         "时间安排在 {until} 结束，这一天已经过去：它不会再发送"),
    )
)  # fmt: skip
TRANSLATED_GROUPS = ("status", "channels")
PATTERNS = {"zh-Hans": MESSAGE_PATTERNS_ZH}


def translate_message(message: str, language: str) -> str:
    """A service's message in `language`: the catalog's translation, a known pattern rebuilt, or the English."""
    if message in CATALOGS.get(language, {}) or language not in PATTERNS:
        return translate(message, language)
    if message.startswith(LAUNCH_PREFIX):
        parts = [translate_message(part, language) for part in message[len(LAUNCH_PREFIX) :].split("; ")]
        return translate("The campaign cannot launch: {reasons}", language, reasons="；".join(parts))
    for pattern, template in PATTERNS.get(language, ()):
        found = pattern.fullmatch(message)
        if found:
            values = found.groupdict()
            for name in TRANSLATED_GROUPS:
                if name in values:
                    values[name] = translate(values[name], language)
            if "at" in values:
                values["at"] = values["at"].replace("T", " ")  # a schedule's wall-clock time: "2026-11-23 09:00"
            if "lang" in values:
                values["lang"] = language_name(values["lang"], language)
            return template.format(**values)
    return message
