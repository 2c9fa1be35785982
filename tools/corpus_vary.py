"""Vary one assessment's versions for tools/corpus.py: names, dates, lists, texts, declared changes."""

from __future__ import annotations

import datetime as dt
import marshal
import random
import re
from dataclasses import dataclass
from typing import Any

from tools import corpus_names as names

# 項目 texts for generated change-log rows that the item resolver maps to the changed item, by form
ROW_ITEMS = {
    "head": {
        "全項目評価書": "Ⅰ 基本情報 7 ②所属長の役職名",
        "重点項目評価書": "Ⅰ 基本情報 6 ②所属長の役職名",
        "基礎項目評価書": "Ⅰ 関連情報 5 ②所属長の役職名",
    },
    "contractor": {"全項目評価書": "Ⅱ-(1)-4-委託事項1-⑥", "重点項目評価書": "Ⅱ-(1)-4-委託事項1-③"},
    "subjects": {"全項目評価書": "Ⅱ (1) 2 ②対象となる本人の数", "重点項目評価書": "Ⅱ (1) 2 ②対象となる本人の数"},
    "handlers": {"基礎項目評価書": "Ⅱ しきい値判断項目 2 取扱者数"},
}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNT = re.compile(r"(?<![\d,])\d{1,3}(?=件)")


def _copy(data: Any) -> Any:
    return marshal.loads(marshal.dumps(data))


@dataclass
class Template:
    """A real (or derived) version used as the pattern for generated ones."""

    form: str
    data: dict[str, Any]
    date: dt.date
    replace: dict[str, str]  # the source organisation's names → placeholders filled per organisation


# ---------------------------------------------------------------------------------------------
# Variation


class _Varier:
    """Copies a template's data for one organisation: names replaced, dates shifted, texts reworded."""

    def __init__(self, rng: random.Random, template: Template, org: names.Org, shift: int):
        self.rng, self.shift = rng, dt.timedelta(days=shift)
        fill = {"{name}": org.name, "{organization}": org.organization, "{prefecture}": org.prefecture or "都道府県"}
        self.map = {k: fill[v] for k, v in template.replace.items()}
        self.names = re.compile("|".join(re.escape(k) for k in sorted(self.map, key=len, reverse=True)))

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def text(self, s: str) -> str:
        if _ISO.match(s):
            try:
                return (dt.date.fromisoformat(s) + self.shift).isoformat()
            except ValueError:
                return s
        s = self.names.sub(lambda m: self.map[m.group()], s)
        if len(s) > 20 and "件" in s:
            s = _COUNT.sub(lambda m: str(max(1, int(m.group()) + self.rng.randint(-3, 5))), s)
        if "\n" in s and self.rng.random() < 0.15:
            lines = s.split("\n")
            i = self.rng.randrange(len(lines) - 1)
            if len(lines) >= 4 and self.rng.random() < 0.5:
                del lines[i + 1]
            else:
                lines[i], lines[i + 1] = lines[i + 1], lines[i]
            s = "\n".join(lines)
        return s


def _vary_list(rng: random.Random, items: list, rename=None, drop: float = 0.3, dup: float = 0.15) -> list:
    """Drop, duplicate (renamed) or swap entries; renumber entries that carry a number."""
    items = list(items)
    if len(items) > 1 and rng.random() < drop:
        del items[rng.randrange(len(items))]
    if items and rename and rng.random() < dup:
        extra = _copy(rng.choice(items))
        rename(extra)
        items.insert(rng.randrange(len(items) + 1), extra)
    if len(items) > 1 and rng.random() < 0.3:
        i = rng.randrange(len(items) - 1)
        items[i], items[i + 1] = items[i + 1], items[i]
    for n, item in enumerate(items, 1):
        if isinstance(item, dict) and "number" in item:
            item["number"] = n
    return items


def _enum(rng: random.Random, values: list[str]) -> str:
    return rng.choice(values)


SUBJECTS = ["1万人未満", "1万人以上10万人未満", "10万人以上100万人未満", "100万人以上1,000万人未満", "1,000万人以上"]
POPULATION = ["1,000人以上1万人未満", "1万人以上10万人未満", "10万人以上30万人未満", "30万人以上"]
STAFF = [
    "10人未満",
    "10人以上50人未満",
    "50人以上100人未満",
    "100人以上500人未満",
    "500人以上1,000人未満",
    "1,000人以上",
]


@dataclass
class Context:
    """What every assessment draws from: templates, contractors and recipients."""

    templates: dict[str, list[Template]]
    companies: list[str]
    recipients: list[str]


def _vary_full_or_key(rng: random.Random, ctx: Context, org: names.Org, data: dict) -> None:
    """Vary the systems, files, contractors, recipients and counts of a full or key assessment."""
    info = data["basic_info"]
    if "target_population" in (info.get("business") or {}):
        info["business"]["target_population"] = _enum(rng, POPULATION)

    def rename_system(s: dict) -> None:
        s["name"] = f"{s.get('name') or '業務システム'}{rng.choice(['(副系)', '(標準準拠)', '連携サーバ', '端末'])}"

    if info.get("systems"):
        info["systems"] = _vary_list(rng, info["systems"], rename_system)

    def rename_file(f: dict) -> None:
        f["name"] = f"{f.get('name') or '特定個人情報'}{rng.choice(['(副本)', '(過年度分)', '(照会用)'])}"

    data["files"] = _vary_list(rng, data["files"], rename_file, drop=0.25, dup=0.1)
    if "file_names" in info:
        info["file_names"] = [f.get("name") or "" for f in data["files"]]
    for f in data["files"]:
        overview = f.get("overview") or {}
        basic = overview.get("basic") or {}
        if basic.get("subject_count"):
            basic["subject_count"] = _enum(rng, SUBJECTS)
        out = overview.get("outsourcing") or {}
        if out.get("entries"):
            out["entries"] = _vary_list(rng, out["entries"], lambda e: e.update(name=f"{e.get('name') or ''}(追加分)"))
            for e in out["entries"]:
                e["contractor"] = names.company(rng, ctx.companies)
                if e.get("handler_count"):
                    e["handler_count"] = _enum(rng, STAFF)
            if isinstance(out.get("count"), int):
                out["count"] = len(out["entries"])
        prov = overview.get("provision") or {}
        for key in ("recipients", "transferees"):
            if prov.get(key):
                prov[key] = _vary_list(rng, prov[key], drop=0.2, dup=0)
                for r in prov[key]:
                    if rng.random() < 0.5:
                        r["name"] = rng.choice(ctx.recipients)


def _vary_basic(rng: random.Random, data: dict) -> None:
    """Vary the system and file lists and the threshold items of a basic assessment."""
    rel = data["related_info"]
    systems = (rel.get("business") or {}).get("system_names")
    if systems:
        rel["business"]["system_names"] = "\n".join(_vary_list(rng, systems.split("\n")))
    if rel.get("file_names"):
        rel["file_names"] = _vary_list(rng, rel["file_names"], None)
    population, handlers = _enum(rng, POPULATION), _enum(rng, STAFF[:4])
    data["threshold_items"] = {
        "target_population": population,
        "handler_count": handlers,
        "serious_incident": "発生なし",
    }


def _set_department(rng: random.Random, org: names.Org, data: dict) -> None:
    part = data.get("basic_info") or data.get("related_info")
    if part is not None and "department" in part:
        dept, head = names.department(rng, org.kind)
        part["department"] = {"department": dept, "head_title": head}


def first_version(
    rng: random.Random, ctx: Context, org: names.Org, form: str, business: str, number: int, date: dt.date
) -> dict:
    """Return the first version of an assessment, varied from a template of its form."""
    template = rng.choice(ctx.templates[form])
    data = _Varier(rng, template, org, (date - template.date).days)(template.data)
    title = f"{org.organization} {business} {form}"
    if form == "概要":
        data["cover"]["title"] = f"{business}の「特定個人情報保護評価書(全項目評価書)」の概要"
        if rng.random() < 0.5:
            data["status"] = "公表"
            data.pop("public_comment", None)
        return data
    data["cover"]["number"] = str(number)
    data["cover"]["title"] = title
    _set_department(rng, org, data)
    if form == "基礎項目評価書":
        data["related_info"].setdefault("business", {})["name"] = business
        _vary_basic(rng, data)
    else:
        data["basic_info"].setdefault("business", {})["name"] = business
        _vary_full_or_key(rng, ctx, org, data)
    rows = data.get("change_log") or []
    data["change_log"] = rows[: rng.randint(0, len(rows))]
    if not data["change_log"]:
        del data["change_log"]
    return data


def next_version(rng: random.Random, data: dict, date: dt.date, companies: list[str] | None = None) -> dict:
    """Return a later version: one to three items changed, each declared in the change log."""
    form = data["form"]
    new = _copy(data)
    new.pop("public_comment", None)
    new["status"] = "公表"
    rows = new.setdefault("change_log", [])
    kinds = [k for k, items in ROW_ITEMS.items() if form in items]
    for kind in rng.sample(kinds, rng.randint(1, len(kinds))):
        found = target(new, kind)
        if found is None:
            continue
        holder, key = found
        before = holder.get(key)
        if kind == "head":
            after = names.department(rng, "")[1]
        elif kind == "contractor":
            after = names.company(rng, companies or names.company_pool(rng, 20))
        else:
            after = _enum(rng, [v for v in (SUBJECTS if kind == "subjects" else STAFF) if v != before])
        if after == before:
            continue
        holder[key] = after
        prior = kind == "subjects"
        rows.append(
            {
                "date": date.isoformat(),
                "item": ROW_ITEMS[kind][form],
                "before": before or "追加",
                "after": after,
                "timing": "事前" if prior else "事後",
                "timing_note": "重要な変更" if prior else "事後で足りるもの",
            }
        )
    if not rows:
        del new["change_log"]
    return new


def target(data: dict, kind: str) -> tuple[dict, str] | None:
    """Return the mapping and key a generated change edits, or None when the version lacks it."""
    try:
        if kind == "head":
            return (data.get("basic_info") or data["related_info"])["department"], "head_title"
        if kind == "handlers":
            return data["threshold_items"], "handler_count"
        overview = data["files"][0]["overview"]
        if kind == "subjects":
            return overview["basic"], "subject_count"
        entries = overview["outsourcing"]["entries"]
        return (entries[0], "contractor") if entries[0]["number"] == 1 else None
    except (KeyError, IndexError, TypeError):
        return None
