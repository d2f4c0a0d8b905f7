"""The console ships a Tibetan web font (Noto Serif Tibetan, Tibetan subset, OFL) and a Chinese fallback stack, so
Tibetan renders on phones and PCs that have no Tibetan font."""

from __future__ import annotations

import re
import tomllib

from tests.servers import REPO_ROOT

ROOT = REPO_ROOT
FONTS = ROOT / "gateway" / "console" / "static" / "fonts"
FONT_FILES = ("noto-serif-tibetan-tibetan-400-normal.woff2", "noto-serif-tibetan-tibetan-700-normal.woff2")


def test_the_tibetan_font_is_served_as_woff2_without_login(client):
    for name in FONT_FILES:
        response = client.get(f"/console/static/fonts/{name}")
        assert response.status_code == 200, name
        assert response.content_type == "font/woff2"
        assert response.data[:4] == b"wOF2"


def test_the_css_declares_the_font_for_tibetan_and_a_chinese_fallback_stack(client):
    css = client.get("/console/static/console.css").get_data(as_text=True)
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    assert len(faces) == len(FONT_FILES)
    for face, name in zip(faces, FONT_FILES, strict=True):
        assert 'font-family: "Noto Serif Tibetan"' in face and f'url(fonts/{name}) format("woff2")' in face
        assert "unicode-range: U+0F00-0FFF" in face
    stack = re.search(r":root {[^}]*font-family: ([^;]*);", css).group(1)
    assert stack == ('"Noto Serif Tibetan", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", '
                     '"WenQuanYi Micro Hei", sans-serif')  # fmt: skip


def test_the_font_ships_with_its_license_in_the_package():
    assert "SIL Open Font License" in (FONTS / "OFL.txt").read_text(encoding="utf-8")
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "console/static/fonts/*" in package_data["gateway"]
