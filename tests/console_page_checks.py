"""Checks over a console page as staff see it in Chromium (its visible text, its fonts, its pixels): times are local
and short, Chinese pages carry no English, no page shows a raw code, English pages say "1 person" (not "1 people"),
and Tibetan text is drawn with real glyphs."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

# A raw timestamp (2026-12-03T01:18:09), a UTC offset (+00:00) or the word UTC: times are shown local and short.
RAW_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|[+-]00:?00\b|\bUTC\b")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_]+)*")
# Latin words a Chinese page may show, each for a reason:
ZH_ALLOWED_LATIN = {
    "Gridcast",  # the product's name
    "English",  # the language switch names the other language in itself
    "CSV", "XLSX", "MP3", "WAV", "M4A", "OGG",  # file formats staff pick files by
    "UTF-8", "GB18030",  # the text encodings a CSV file may be saved in, named as spreadsheet programs name them
    "API", "URL",  # written so in Chinese technical text too
    "Twilio", "Kannel",  # providers' names
    "Ed25519", "base64",  # the feed signing key's algorithm and encoding, as a terminal's installer types them
    "MB", "KB",  # units
    "Redis", "CAP", "Cookie", "sendsms",  # on the admin's settings page: a product, a standard (CAP 1.2), the browser's
                                          # word as Chinese admins write it, Kannel's interface by its name
}  # fmt: skip
# Latin text that is data or syntax, not the console's words: speaker tokens (gs_...), file names, the time zone, and
# message placeholders ({name}) that staff type as they are.
DATA = re.compile(r"\bgs_[A-Za-z0-9_-]+|[\w.-]+\.(?:csv|xlsx)\b|\bAsia/Shanghai\b|\bkbit/s\b|\{[a-z_]+\}")
# Elements that show literal text: environment variable names and setting values (<code>, [data-env]) and reply
# keywords (.keyword), which herders text in whatever script they use.
LITERAL = "code, kbd, samp, [data-env], .keyword"
# On English pages (on Chinese ones every Latin word is caught): codes with _ or . and codes that are no English
# word either, languages and channels as stored (an English page says Tibetan, SMS).
EN_RAW_CODES = {"bo", "zh", "zh-Hans", "en", "sms"}
# A count of one with a plural noun ("1 people", "1 rows"): English pages pluralize.
ONE_PLURAL = re.compile(r"(?<![\d.,])\b1 (?:people|[a-z]+s)\b")
CODE_SHAPED = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]{3,}\.[a-z_]{3,}\b")  # duty_reminder, campaign.launch
TIBETAN = re.compile("[\u0f00-\u0fff]")
TIBETAN_DRAWN = """async ([family]) => {
    await document.fonts.load(`32px ${family}`, "ཀཁ");
    const draw = text => {
        const canvas = document.createElement("canvas");
        canvas.width = 64; canvas.height = 64;
        const context = canvas.getContext("2d");
        context.font = `32px ${family}`;
        context.fillText(text, 8, 44);
        return Array.from(context.getImageData(0, 0, 64, 64).data).join(",");
    };
    const ka = draw("ཀ"), kha = draw("ཁ"), unassigned = draw("\\u0FDB"), blank = draw(" ");
    return {distinct: ka !== kha, notBox: ka !== unassigned && kha !== unassigned, inked: ka !== blank};
}"""


def visible_text(page: Page) -> str:
    """The page's text as shown (document.body.innerText), without the LITERAL elements' text."""
    return page.evaluate(
        """selector => {
            const literals = [...document.querySelectorAll(selector)];
            const shown = literals.map(element => element.style.display);
            literals.forEach(element => { element.style.display = "none"; });
            const text = document.body.innerText;
            literals.forEach((element, index) => { element.style.display = shown[index]; });
            return text;
        }""",
        LITERAL,
    )


def problems(page: Page, lang: str, allowed: set[str] = frozenset()) -> list[str]:
    """What is wrong with the page's visible text in `lang` ('zh' or 'en'); `allowed` are this page's data words
    (user names)."""
    text = DATA.sub(" ", visible_text(page))
    found = [f"raw time {match!r}" for match in RAW_TIME.findall(text)]
    text = RAW_TIME.sub(" ", text)
    words = set(LATIN_WORD.findall(text)) - set(allowed)
    if lang == "zh":
        found += [f"English {word!r}" for word in sorted(words - ZH_ALLOWED_LATIN)]
    else:
        found += [f"raw code {word!r}" for word in sorted(words & EN_RAW_CODES)]
        found += [f"raw code {word!r}" for word in sorted(set(CODE_SHAPED.findall(text)) - set(allowed))]
        found += [f"plural after one {words!r}" for words in sorted(set(ONE_PLURAL.findall(text)))]
    return found


def tibetan_rendered(page: Page, elements: Locator) -> None:
    """The first of `elements` holding Tibetan uses the vendored font, and that font draws Tibetan letters as
    distinct inked glyphs (not one box for every letter)."""
    element = elements.filter(has_text=TIBETAN).first
    assert TIBETAN.search(element.inner_text())
    family = element.evaluate("element => getComputedStyle(element).fontFamily")
    assert "Noto Serif Tibetan" in family, family
    assert page.evaluate("""() => document.fonts.check('16px "Noto Serif Tibetan"', 'བོད')""")
    drawn = page.evaluate(TIBETAN_DRAWN, [family])
    assert drawn == {"distinct": True, "notBox": True, "inked": True}, drawn
