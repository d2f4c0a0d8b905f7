"""The shape of the demo counties: place names from the public record (see DESIGN.md), personal names, shares.

Village and township codes follow the administrative pattern (county 6 digits, township 9, village 12, then two
digits per group and per household unit); the villages, the people and their numbers are invented.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TownshipPlan:
    """One township: its villages (name, number of groups), household units per group, the share of Tibetan
    speakers and whether its households are herders."""

    code: str
    name: str
    villages: tuple[tuple[str, int], ...]
    units_per_group: int
    tibetan_share: float
    herders: bool


@dataclass(frozen=True)
class CountyPlan:
    code: str
    name: str
    tibetan_share: float
    townships: tuple[TownshipPlan, ...]


COUNTIES: tuple[CountyPlan, ...] = (
    CountyPlan(
        "623025",
        "玛曲县",
        0.8,
        (
            TownshipPlan(
                "623025100", "尼玛镇", (("尼玛社区", 2), ("哇尔玛村", 2), ("萨合村", 2), ("秀绕村", 2)), 7, 0.7, False
            ),
            # 70 household units, so 70 liaisons, as in the county's reports; herders who speak Tibetan.
            TownshipPlan("623025101", "齐哈玛镇", (("秀玛村", 3), ("萨合塘村", 2), ("齐哈玛村", 2)), 10, 0.95, True),
            TownshipPlan("623025102", "欧拉镇", (("达尔庆村", 2), ("欧强村", 2), ("道日琼村", 2)), 7, 0.95, True),
            TownshipPlan("623025103", "阿万仓镇", (("贡赛尔喀木道村", 2), ("沃特村", 2), ("道吉村", 1)), 6, 0.95, True),
        ),
    ),
    CountyPlan(
        "632321",
        "同仁县",
        0.6,
        (
            TownshipPlan("632321100", "隆务镇", (("四合吉村", 2), ("铁吾村", 1), ("加毛村", 1)), 6, 0.45, False),
            TownshipPlan("632321101", "加吾乡", (("加吾村", 1), ("吉仓村", 1)), 6, 0.9, True),
            TownshipPlan("632321102", "年都乎乡", (("年都乎村", 2), ("郭麻日村", 1), ("尕沙日村", 1)), 6, 0.6, False),
        ),
    ),
)

HOUSEHOLDS_PER_UNIT = (8, 12)
TAG_SHARES = (("stable", 0.85), ("monitored", 0.12), ("tracked", 0.03))
HERDER_SHARE = 0.8
VOICE_ONLY_SHARE = 0.25
PHONE_PATTERN = "+861380000{:04d}"

TIBETAN_FIRST = (
    "才让", "扎西", "多杰", "卓玛", "拉毛", "央金", "尕藏", "旦增", "索南", "完玛", "更登", "桑杰",
    "贡保", "当周", "仁青", "华旦", "道吉", "周毛", "德吉", "拉姆", "才旦", "万玛", "切吉", "闹日",
)  # fmt: skip
TIBETAN_SECOND = (
    "", "", "东知", "卓玛", "加", "吉", "草", "措", "才让", "扎西", "本", "太", "加布", "拉毛", "多杰", "措毛", "当知",
)  # fmt: skip
CHINESE_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "马", "赵", "何", "周", "苏", "韩", "冶", "郭")
CHINESE_GIVEN = (
    "建国", "秀英", "海燕", "志强", "玉兰", "文军", "桂花", "永福", "红梅", "国庆", "小平", "晓东",
    "丽萍", "德明", "学军", "玉梅", "春花", "进财", "永红", "建华",
)  # fmt: skip

CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals: 1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMERALS[tens - 1] + "十")
    return head + (CHINESE_NUMERALS[ones - 1] if ones else "")
