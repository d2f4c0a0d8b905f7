"""Languages as BCP-47 tags, with the Chinese and English names staff actually type."""

from __future__ import annotations

import unicodedata

from campaigns.common.errors import ValidationError

LANGUAGES: dict[str, tuple[str, str]] = {
    "zh": ("汉语", "Mandarin Chinese"),
    "bo": ("藏语", "Tibetan"),
    "ug": ("维吾尔语", "Uyghur"),
    "mn": ("蒙古语", "Mongolian"),
    "kk": ("哈萨克语", "Kazakh"),
    "ii": ("彝语", "Yi"),
    "yue": ("粤语", "Cantonese"),
    "en": ("英语", "English"),
}

_ALIASES: dict[str, str] = {
    "中文": "zh",
    "汉语": "zh",
    "汉": "zh",
    "普通话": "zh",
    "国语": "zh",
    "mandarin": "zh",
    "chinese": "zh",
    "zh-cn": "zh",
    "zh-hans": "zh",
    "cmn": "zh",
    "藏语": "bo",
    "藏文": "bo",
    "藏": "bo",
    "tibetan": "bo",
    "维吾尔语": "ug",
    "维语": "ug",
    "uyghur": "ug",
    "uighur": "ug",
    "蒙古语": "mn",
    "蒙语": "mn",
    "mongolian": "mn",
    "哈萨克语": "kk",
    "哈语": "kk",
    "kazakh": "kk",
    "彝语": "ii",
    "yi": "ii",
    "粤语": "yue",
    "广东话": "yue",
    "白话": "yue",
    "cantonese": "yue",
    "zh-yue": "yue",
    "英语": "en",
    "english": "en",
}


def normalize_language(raw: str) -> str:
    """Return the BCP-47 tag for a tag or a name such as 藏语 / Tibetan; ValidationError for anything else."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip().lower().replace("_", "-")
    if not text:
        raise ValidationError.coded("language.empty", "language is empty")
    if text in LANGUAGES:
        return text
    if text in _ALIASES:
        return _ALIASES[text]
    primary = text.split("-")[0]
    if primary in LANGUAGES and primary != "zh":
        return primary
    known = ", ".join(LANGUAGES)
    raise ValidationError.coded(
        "language.unknown",
        "unknown language '%(raw)s' (known: %(known)s, or names such as 藏语, 汉语)",
        raw=raw,
        known=known,
    )
