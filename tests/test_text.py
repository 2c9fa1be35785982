"""Text helpers: Japanese era dates, Markdown that keeps the organisations' text safe and intact, NFKC by character."""

from __future__ import annotations

import unicodedata

import pytest
from bs4 import BeautifulSoup

from piasite.model.fold import fold
from piasite.model.text import markdown, time_tag, wareki


@pytest.mark.parametrize(
    "iso, expected",
    [
        ("2023-11-27", "令和5年11月27日"),
        ("2019-05-01", "令和元年5月1日"),
        ("2019-04-30", "平成31年4月30日"),
        ("2019-02-08", "平成31年2月8日"),
        ("1989-01-08", "平成元年1月8日"),
        ("1989-01-07", "昭和64年1月7日"),
        ("2015-03-27", "平成27年3月27日"),
    ],
)
def test_wareki_formats_dates_in_the_japanese_era(iso, expected):
    assert wareki(iso) == expected


def test_time_tag_keeps_the_iso_date_machine_readable():
    tag = BeautifulSoup(str(time_tag("2023-11-27")), "html.parser").time
    assert tag["datetime"] == "2023-11-27"
    assert tag.text == "令和5年11月27日"


def test_a_line_break_in_japanese_text_does_not_become_a_space():
    html = str(markdown("住民基本台帳に\n記録される者"))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("br") is not None
    assert soup.get_text() .replace("\n", "") == "住民基本台帳に記録される者"


def test_raw_html_is_escaped_not_rendered():
    soup = BeautifulSoup(str(markdown('<script>alert(1)</script><img src=x onerror="y">')), "html.parser")
    assert soup.find("script") is None
    assert soup.find("img") is None
    assert "<script>" in soup.get_text()


@pytest.mark.parametrize("target", ["javascript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd"])
def test_unsafe_link_targets_are_not_linked(target):
    soup = BeautifulSoup(str(markdown(f"[リンク]({target})")), "html.parser")
    assert soup.find("a") is None


@pytest.mark.parametrize("target", ["https://www.example.jp/", "mailto:info@example.jp", "../other/"])
def test_safe_link_targets_are_linked(target):
    soup = BeautifulSoup(str(markdown(f"[リンク]({target})")), "html.parser")
    assert soup.find("a")["href"] == target


def test_form_text_is_not_turned_into_lists_headings_or_code():
    text = "1. 本人確認情報の更新\n# 見出しではない\n    字下げ\n* 箇条書きではない *"
    soup = BeautifulSoup(str(markdown(text)), "html.parser")
    assert not soup.find_all(["ol", "ul", "h1", "pre", "code", "em"])
    assert "1. 本人確認情報の更新" in soup.get_text()
    assert "# 見出しではない" in soup.get_text()


@pytest.mark.parametrize("text", ["abc", "(第9条)", "（第９条第１項）", "①②㍻ｱｲ", "x\u0301é", "", "全角ＡＢＣ１２３ 半角", "ﾊﾟﾝ"])
def test_fold_maps_each_character_like_nfkc_of_that_character(text):
    expected, origin = "", []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch)
        expected += folded
        origin += [i] * len(folded)
    got, got_origin = fold(text)
    assert got == expected
    assert (list(range(len(text))) if got_origin is None else got_origin) == origin
