"""Change history: 新旧対照表 entries, 項目 resolution, version pages and diffs, declared versus actual, the feed."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import CONTENT

from piasite.analysis.history import inline_diff, row_kind
from piasite.document.itemref import ItemResolver, tokens
from piasite.document.sections import document_sections
from piasite.model.content import load_site
from piasite.model.schema import Schemas

ROOT = Path(__file__).resolve().parent.parent
SITE, _ = load_site(CONTENT, Schemas())
ATOM = "{http://www.w3.org/2005/Atom}"


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def resolver_for(org: str) -> ItemResolver:
    assessment = next(a for a in SITE.assessments if a.org.slug == org)
    return ItemResolver(document_sections(SITE, assessment.latest, assessment.org.name))


# --- inline diff ------------------------------------------------------------------------------


def test_inline_diff_marks_whole_names_and_numbers():
    spans = inline_diff("戸籍住民課長 今田 厚子", "戸籍住民課長 坂下 克博")
    assert [(s.op, s.text) for s in spans] == [
        ("equal", "戸籍住民課長 "),
        ("delete", "今田 厚子"),
        ("insert", "坂下 克博"),
    ]
    spans = inline_diff("平成28年4月28日", "平成29年4月17日")
    changed = [s.text for s in spans if s.op != "equal"]
    # numbers change as a whole: 28→29 and 28→17, never 2[8→9]
    assert changed == ["28", "29", "28", "17"]


def test_inline_diff_has_no_confetti_on_real_rows():
    """Across every real change-log row, no equality of one character sits between two changes."""
    checked = 0
    for assessment in SITE.assessments:
        for row in assessment.latest.data.get("change_log") or []:
            spans = inline_diff(row.get("before"), row.get("after"))
            for prev, cur, nxt in zip(spans, spans[1:], spans[2:], strict=False):
                assert not (cur.op == "equal" and len(cur.text) == 1 and prev.op != "equal" and nxt.op != "equal"), (
                    row["item"],
                    [(s.op, s.text) for s in spans],
                )
            checked += 1
    assert checked > 400


def test_the_fast_diff_gives_the_diffs_of_the_python_library_on_real_rows(monkeypatch):
    """The C++ port (fast-diff-match-patch) diffs every real change-log row as diff-match-patch does."""
    from diff_match_patch import diff_match_patch

    from piasite.analysis import history

    python = diff_match_patch()
    python.Diff_Timeout = history._dmp.Diff_Timeout
    ops = {0: "=", -1: "-", 1: "+"}

    def slow(a, b, timelimit, checklines, cleanup, counts_only):
        return [(ops[op], text) for op, text in python.diff_main(a, b, checklines)]

    rows = [row for a in SITE.assessments for v in a.versions for row in v.data.get("change_log") or []]
    pairs = {(r.get("before") or "", r.get("after") or "") for r in rows}
    fast = {pair: history._token_diff(*pair) for pair in pairs}
    monkeypatch.setattr(history.fast_diff_match_patch, "diff", slow)
    assert {pair: history._token_diff(*pair) for pair in pairs} == fast
    assert len(pairs) > 300


def test_added_and_deleted_rows():
    assert [(s.op, s.text) for s in inline_diff("追加", "庁内連携システム")] == [("insert", "庁内連携システム")]
    assert row_kind("(追加)", "x") == "追加" and row_kind("x", "削除") == "削除" and row_kind("a", "b") == "変更"
    assert [(s.op, s.text) for s in inline_diff("旧", "削除")] == [("delete", "旧")]


# --- 項目 resolution -------------------------------------------------------------------------


def test_tokens_read_form_markers():
    assert tokens("I-6-②所属長") == [("roman", 1), ("num", 6), ("circ", 2), ("text", "所属長")]
    assert tokens("Ⅱ\u3000特定個人情報ファイルの概要\n（２）本人情報確認ファイル\n２．基本情報\n⑤保有開始日")[:4] == [
        ("roman", 2),
        ("text", "特定個人情報ファイルの概要"),
        ("file", 2),
        ("text", "本人情報確認ファイル"),
    ]


@pytest.mark.parametrize(
    "org, item, expected",
    [
        ("kitami-city", "I-6-②所属長", "basic-info-department-head-title"),
        ("miyagi-pref", "I 基本情報 7 ②所属長", "basic-info-department-head-title"),
        (
            "miyagi-pref",
            "II 特定個人情報ファイルの概要 5 特定個人情報の提供・移転 移転先1 ②提供先における用途",
            "f1-overview-provision-transferees1-purpose",
        ),
        (
            "miyagi-pref",
            "II 特定個人情報ファイルの概要 (2)都道府県知事保存附票本人確認情報ファイル 4. 特定個人情報ファイルの取扱いの委託 (5)委託先名の確認方法",
            "f2-overview-outsourcing-entries1-contractor-confirmation",
        ),
        (
            "miyagi-pref",
            "IV その他のリスク対策 2 従業者に対する教育・啓発 具体的な方法",
            "other-measures-training-method",
        ),
        (
            "kochi-city",
            "Ⅲリスク対策(プロセス)(3) 7. 特定個人情報の保管・消去 ⑥技術的対策—具体的な対策",
            "f3-risk-measures-retention-risk1-technical",
        ),
        # a mistyped section numeral (Ⅵ for Ⅳ) is outweighed by the words
        ("morioka-city", "Ⅵその他のリスク対策\n２.従業者に対する教育・啓発\n具体的な方法", "other-measures-training"),
    ],
)
def test_item_texts_resolve_to_their_items(org, item, expected):
    resolved = resolver_for(org).resolve(item)
    assert resolved is not None
    assert resolved.id == expected or resolved.id.startswith(expected + "-"), resolved


def test_separate_sheets_and_empty_items_do_not_resolve():
    assert resolver_for("morioka-city").resolve("（別紙１）\u3000番号法第19条第８号別表第二に定める事務") is None
    assert resolver_for("kochi-city").resolve(None) is None


def test_validate_lists_unresolved_rows_as_warnings():
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "validate", "--all-warnings", "--content", CONTENT.name],
        cwd=CONTENT.parent,
        capture_output=True, text=True,
    )
    assert result.returncode == 0
    lines = [line for line in result.stderr.splitlines() if "特定できません" in line]
    assert lines and all(":" in line.split(" ")[0] for line in lines)
    morioka = f"{CONTENT.name}/morioka-city/01-juki/2021-12-24.yaml:"
    assert any(line.startswith(morioka) and "別紙" in line for line in lines)


# --- the 新旧対照表 page ----------------------------------------------------------------------


def test_known_row_renders_with_exact_deleted_and_inserted_spans(built_site):
    page = built_site / "kitami-city" / "01-juki" / "changes" / "index.html"
    soup = soup_of(page)
    entry = next(a for a in soup.select("article.change-entry") if "I-6-②所属長" in a.h3.get_text())
    dels = [d.get_text() for d in entry.find_all("del")]
    inss = [i.get_text() for i in entry.find_all("ins")]
    assert dels == ["[削除: 今田 厚子 :削除ここまで]"]
    assert inss == ["[追加: 坂下 克博 :追加ここまで]"]
    assert entry.find("del").find("span", class_="visually-hidden").get_text() == "[削除: "
    link = entry.select_one(".change-entry__meta a")
    assert link["href"] == "../#basic-info-department-head-title"
    target = soup_of(built_site / "kitami-city" / "01-juki" / "index.html")
    assert target.find(id="basic-info-department-head-title") is not None


@pytest.mark.parametrize(
    "assessment", [a for a in SITE.assessments if a.latest.data.get("change_log")], ids=lambda a: a.org.slug
)
def test_changes_page_groups_every_row_by_date_newest_first(built_site, assessment):
    rows = assessment.latest.data["change_log"]
    soup = soup_of(built_site / assessment.org.slug / assessment.slug / "changes" / "index.html")
    sections = soup.select("section.change-date")
    dates = [s.h2["id"][1:] for s in sections]
    assert dates == sorted({str(r["date"]) for r in rows}, reverse=True)
    for s in sections:
        count = len(s.select("article.change-entry"))
        assert count == sum(1 for r in rows if str(r["date"]) == s.h2["id"][1:])
        assert f"({count}件)" in s.h2.get_text()
    assert len(soup.select("article.change-entry")) == len(rows)
    jump = [a["href"] for a in soup.select("nav.date-index a")]
    assert jump == [f"#d{d}" for d in dates]
    prior = sum(1 for r in rows if r.get("timing") == "事前")
    assert len(soup.select("article.change-entry--prior")) == prior


def test_document_links_to_its_changes_page(built_site):
    soup = soup_of(built_site / "miyagi-pref" / "07-juki-net" / "index.html")
    hrefs = [a["href"] for a in soup.select(".toc a")] + [a["href"] for a in soup.select(".doc-header a")]
    assert "changes/" in hrefs


# --- versions, diffs and declared versus actual ----------------------------------------------


def test_every_version_has_a_dated_page(built_site):
    for assessment in SITE.assessments:
        for version in assessment.versions:
            page = built_site / assessment.org.slug / assessment.slug / version.iso / "index.html"
            soup = soup_of(page)
            notice = soup.select_one(".notice")
            assert notice is not None
            if version is assessment.latest:
                assert "最新の版" in notice.get_text()
            else:
                assert "過去の版" in notice.get_text()
                assert notice.find("a")["href"] == "../"


def _two_versions(content: Path) -> Path:
    """Add a newer version to the sample content: one declared change, one undeclared, one row with no change."""
    folder = content / "sample-city" / "01-sample"
    text = (folder / "2019-02-08.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["basic_info"]["department"]["head_title"] = "市民課長"  # declared below
    data["basic_info"]["systems"][0]["name"] = "新住民記録システム"  # not declared
    data["change_log"] += [
        {
            "date": "2020-04-01",
            "item": "I-6-②所属長の役職名",
            "before": "戸籍住民課長",
            "after": "市民課長",
            "timing": "事後",
            "timing_note": "組織改正",
        },
        {
            "date": "2020-04-01",
            "item": "I-7 他の評価実施機関",
            "before": "なし",
            "after": "なし",
            "timing": "事後",
            "timing_note": "変更なしの行",
        },
    ]
    new = folder / "2020-04-01.yaml"
    new.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return new


def test_undeclared_change_is_a_validate_warning(sample_content):
    _two_versions(sample_content)
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "validate", "--content", str(sample_content)],
        cwd=sample_content.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    undeclared = [line for line in result.stderr.splitlines() if "記載されていません" in line]
    assert len(undeclared) == 1, result.stderr
    assert "2020-04-01.yaml:" in undeclared[0] and "システムの名称" in undeclared[0]
    unchanged = [line for line in result.stderr.splitlines() if "変わっていません" in line]
    assert len(unchanged) == 1 and "他の評価実施機関" in unchanged[0]


def test_version_diff_page_shows_changes_and_undeclared_ones(sample_content, tmp_path):
    _two_versions(sample_content)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--content", str(sample_content), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    soup = soup_of(out / "sample-city" / "01-sample" / "2020-04-01" / "diff" / "index.html")
    undeclared = soup.find(id="undeclared").find_next("ul").get_text()
    assert "システムの名称" in undeclared and "所属長" not in undeclared
    items = {a.h3.get_text(strip=True): a for a in soup.select("article.diff-item")}
    head = next(a for label, a in items.items() if "所属長" in label)
    assert [d.get_text() for d in head.find_all("del")] == ["[削除: 戸籍住 :削除ここまで]"]
    assert [i.get_text() for i in head.find_all("ins")] == ["[追加: 市 :追加ここまで]"]
    assert "変更箇所に記載あり" in head.get_text()
    assert "変更のない項目が" in soup.get_text()
    old = soup_of(out / "sample-city" / "01-sample" / "2019-02-08" / "index.html")
    assert "過去の版" in old.select_one(".notice").get_text()


# --- the feed ---------------------------------------------------------------------------------


def test_feed_is_atom_with_one_entry_per_version_newest_first(built_site):
    root = ET.parse(built_site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == sum(len(a.versions) for a in SITE.assessments)
    dates = [e.find(f"{ATOM}updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    for e in entries:
        assert e.find(f"{ATOM}title").text
        href = e.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert (built_site / href / "index.html").is_file(), href
    head = soup_of(built_site / "index.html").find("link", rel="alternate", type="application/atom+xml")
    assert head["href"] == "feed.xml"


def test_miyagi_reconstructed_versions_are_published_and_diffed(built_site):
    """宮城県 has earlier versions reconstructed from its change log; the latest diff lists the added 附票 file."""
    miyagi = next(a for a in SITE.assessments if a.org.slug == "miyagi-pref")
    assert len(miyagi.versions) >= 2
    previous = miyagi.versions[-2]
    assert previous.data["reconstructed"]["from_version"]
    assert [f["name"] for f in previous.data["files"]] == ["都道府県知事保存本人確認情報ファイル"]
    base = built_site / "miyagi-pref" / "07-juki-net"
    past = soup_of(base / previous.iso / "index.html")
    assert "変更箇所から復元したもの" in past.select_one(".notice--reconstructed").get_text()
    diff = soup_of(base / miyagi.latest.iso / "diff" / "index.html")
    added = [d.get_text(" ", strip=True) for d in diff.select(".diff-entry--added")]
    assert any("(2) 都道府県知事保存附票本人確認情報ファイル" in text and "追加されました" in text for text in added), (
        added
    )
    versions = soup_of(base / "index.html").select("#versions li")
    assert len(versions) == len(miyagi.versions)
    assert "変更箇所から復元" in versions[1].get_text()


def test_whole_missing_part_says_so_once_and_keeps_item_ids(built_site):
    soup = soup_of(built_site / "morioka-city" / "01-juki" / "index.html")
    part = soup.find(id="f2-overview-basic").find_parent("section")
    assert part.get_text().count("この版では掲載できません") == 1
    assert part.find(id="f2-overview-basic-kind") is not None
