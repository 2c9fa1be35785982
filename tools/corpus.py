"""Generate a synthetic national corpus of assessments from the real content, for benchmarks.

    python tools/corpus.py --count 2000 --seed 1 --out /tmp/corpus-2000
    python tools/corpus.py --edit text --out /tmp/corpus-2000      # one deterministic one-file edit

The real version files in content/ are the templates: 全項目評価書 as they are, 重点項目評価書 from the
real one and from each full one cut down to what the key form's schema allows, 基礎項目評価書 from
the Ⅰ part of the others, 概要 from the real one. Each assessment gets its own organisation name,
code, dates (shifted), systems, files, contractors, recipients, departments and some reworded text;
some get later versions whose changes are declared in the change log. The same count and seed
always give a byte-identical tree; no text holds a 12-digit number passing the 個人番号 check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from piasite.model.mynumber import find_numbers  # noqa: E402
from tools import corpus_names as names  # noqa: E402
from tools.corpus_vary import Context, Template, first_version, next_version, target  # noqa: E402

FORM_WEIGHTS = {"基礎項目評価書": 64, "重点項目評価書": 18, "全項目評価書": 12, "概要": 6}
FULL_SEEDS = [
    "kochi-city/01-juminhyo/2024-10-01",
    "miyagi-pref/07-juki-net/2023-11-27",
    "morioka-city/01-juki/2021-12-24",
]
KEY_SEEDS = ["kitami-city/01-juki/2019-02-08"]
SUMMARY_SEEDS = ["yamaguchi-pref/01-juki-net/2021-08-10"]
# what only describes the real source document (missing parts, reconstruction) is left out of generated copies
SOURCE_ONLY = ("unavailable", "date_note", "reconstructed", "allowed_numbers")
FIRST_DATE, LAST_DATE = dt.date(2015, 10, 1), dt.date(2025, 12, 31)
EDIT_KINDS = ("text", "org", "entity", "version")
_CANDIDATE = re.compile(r"[0-9](?:[ \-‐‑–−]?[0-9]){11}")  # the guard's shape, without its look-arounds


class _Loader(yaml.CSafeLoader):
    """Safe loader that keeps dates as strings, as piasite's loader does."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Dumper(yaml.CSafeDumper):
    """Dumper writing multi-line text as literal blocks (`|`), like the hand-written content."""


_Dumper.add_representer(
    str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)
)


def load(path: Path) -> Any:
    """Parse a YAML file the way the site does (dates stay strings)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def dump(data: Any) -> str:
    """Serialise data as YAML: key order kept, no line folding, Japanese unescaped."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6, default_flow_style=False)


def load_templates(content: Path = ROOT / "content") -> dict[str, list[Template]]:
    """Load the seeds and derive the key and basic forms; return templates by form."""
    from tools.corpus_derive import derive_basic, derive_key, resolvable_rows

    def seed(rel: str) -> Template:
        org_dir = content / rel.split("/")[0]
        org = load(org_dir / "organization.yaml")
        data = {k: v for k, v in load(content / f"{rel}.yaml").items() if k not in SOURCE_ONLY}
        if data.get("change_log"):
            data["change_log"] = resolvable_rows(data)
        replace = {org["name"]: "{name}", org["organization"]: "{organization}"}
        if org.get("prefecture") and org["prefecture"] != org["organization"]:
            replace[org["prefecture"]] = "{prefecture}"
        return Template(data["form"], data, dt.date.fromisoformat(rel[-10:]), replace)

    full = [seed(r) for r in FULL_SEEDS]
    key = [seed(r) for r in KEY_SEEDS]
    key += [Template("重点項目評価書", derive_key(t.data), t.date, t.replace) for t in full]
    basic = [Template("基礎項目評価書", derive_basic(t.data), t.date, t.replace) for t in full + key[:1]]
    return {
        "全項目評価書": full,
        "重点項目評価書": key,
        "基礎項目評価書": basic,
        "概要": [seed(r) for r in SUMMARY_SEEDS],
    }


# ---------------------------------------------------------------------------------------------
# The My Number guard, applied to generated text


def scrub(value: Any) -> Any:
    """Change the last digit of any 12-digit number passing the 個人番号 check, in every string."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, str) and _CANDIDATE.search(unicodedata.normalize("NFKC", value)):
        for found in find_numbers(value)[:1]:
            end = found.start + len(found.written) - 1
            digit = (unicodedata.digit(value[end]) + 1) % 10
            new = str(digit) if value[end].isascii() else chr(ord("０") + digit)
            return scrub(value[:end] + new + value[end + 1 :])
    return value


# ---------------------------------------------------------------------------------------------
# The tree


def generate(count: int, seed: int, out: Path, content: Path = ROOT / "content") -> dict[str, int]:
    """Write a content tree of `count` assessments into `out` (created; must be empty); return figures."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty; give a new folder")
    rng = random.Random(f"corpus:{seed}")
    orgs = names.make_orgs(rng, max(1, min(count, -(-count // 5))))
    ctx = Context(
        load_templates(content),
        names.company_pool(rng, 20 + count // 10),
        [
            "地方公共団体情報システム機構",
            "日本年金機構",
            "全国健康保険協会",
            "国民健康保険団体連合会",
            "教育委員会",
            "実施機関内部",
        ]
        + [o.name for o in orgs],
    )
    shares = [1] * len(orgs)
    for i in rng.choices(range(len(orgs)), weights=[o.weight for o in orgs], k=count - len(orgs)):
        shares[i] += 1
    stats = {form: 0 for form in FORM_WEIGHTS} | {"organizations": len(orgs), "versions": 0}
    for org, share in zip(orgs, shares, strict=True):
        _write(out / org.slug / "organization.yaml", _org_data(org, rng))
        businesses = rng.sample(names.BUSINESSES, min(share, len(names.BUSINESSES)))
        for i in range(share):
            business, biz_slug = businesses[i % len(businesses)]
            slug = f"{i + 1:02d}-{biz_slug}" + (f"-{i // len(businesses) + 1}" if i >= len(businesses) else "")
            arng = random.Random(f"{seed}:{org.slug}:{slug}")
            form = arng.choices(list(FORM_WEIGHTS), weights=list(FORM_WEIGHTS.values()))[0]
            versions = _versions(arng, ctx, org, form, business, i + 1)
            for date, data in versions:
                _write(out / org.slug / slug / f"{date.isoformat()}.yaml", data)
            stats[form] += 1
            stats["versions"] += len(versions)
    return stats


def _versions(rng: random.Random, ctx: Context, org: names.Org, form: str, business: str, number: int) -> list:
    date = FIRST_DATE + dt.timedelta(days=rng.randrange(3300))
    data = first_version(rng, ctx, org, form, business, number, date)
    versions = [(date, data)]
    extra = 0 if form == "概要" else rng.choices([0, 1, 2, 3], weights=[70, 20, 7, 3])[0]
    for _ in range(extra):
        date += dt.timedelta(days=rng.randint(60, 900))
        if date > LAST_DATE:
            break
        versions.append((date, next_version(rng, versions[-1][1], date, ctx.companies)))
    latest = versions[-1][1]
    if form != "概要" and latest.get("status", "公表") == "公表":
        roll = rng.random()
        if roll < 0.04:
            latest["status"] = "案"
            latest["public_comment"] = {"start": date.isoformat(), "end": (date + dt.timedelta(days=30)).isoformat()}
        elif roll < 0.07:
            latest["status"] = "終了"
            latest["ended_on"] = (date + dt.timedelta(days=rng.randint(30, 400))).isoformat()
    return versions


def _org_data(org: names.Org, rng: random.Random) -> dict:
    data: dict[str, Any] = {"name": org.name, "organization": org.organization, "kind": org.kind}
    if org.code:
        data["local_government_code"] = org.code
    if org.prefecture:
        data["prefecture"] = org.prefecture
    phone = f"0{rng.randint(11, 99)}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
    dept = names.department(rng, org.kind)[0]
    town = rng.choice(["本町", "中央", "元町"])
    address = f"{org.organization}{town}{rng.randint(1, 9)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
    data["contact"] = {"department": dept, "address": address, "phone": phone}
    return data


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(scrub(data)), encoding="utf-8")


def digest(root: Path) -> str:
    """Return one SHA-256 over every file's relative path and bytes, in path order."""
    h = hashlib.sha256()
    for p in sorted(Path(root).rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# One-file edits for incremental-build benchmarks


def edit(root: Path, kind: str, seed: int = 0) -> Path:
    """Make one deterministic edit in a generated tree; return the file written.

    text: one version's cover text; org: one organisation's name; entity: one contractor's name
    (entity pages change); version: a new version of one assessment, its change declared.
    """
    root = Path(root)
    single = sorted(a for a in root.glob("*/*") if a.is_dir() and len(list(a.glob("*.yaml"))) == 1)
    if kind == "org":
        orgs = sorted(root.glob("*/organization.yaml"))
        path = orgs[(seed * 7919 + len(orgs) // 2) % len(orgs)]
        data = load(path)
        data["name"] = f"{data['name']}(編集{seed})"
    else:
        pool = single if kind in ("text", "entity") else sorted(a for a in root.glob("*/*") if a.is_dir())
        candidates = [sorted(a.glob("*.yaml"))[-1] for a in pool]
        if kind == "entity":
            candidates = [p for p in candidates if target(load(p), "contractor")]
        elif kind == "version":
            candidates = [p for p in candidates if load(p)["form"] != "概要"]
        if not candidates:
            raise SystemExit(f"no file to edit for {kind}")
        path = candidates[(seed * 7919 + len(candidates) // 2) % len(candidates)]
        data = load(path)
        if kind == "text":
            cover = data["cover"]
            cover["special_notes"] = f"{cover.get('special_notes') or ''}\n(編集{seed}: 記載を見直しました。)".lstrip()
        elif kind == "entity":
            holder, key = target(data, "contractor")
            holder[key] = f"株式会社編集{seed}システムズ"
        elif kind == "version":
            date = dt.date.fromisoformat(path.stem) + dt.timedelta(days=30)
            data = next_version(random.Random(f"edit:{seed}:{path}"), data, date)
            path = path.with_name(f"{date.isoformat()}.yaml")
        else:
            raise SystemExit(f"unknown edit {kind}; choose from {', '.join(EDIT_KINDS)}")
    _write(path, data)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="number of assessments")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="new folder for the tree (or the tree to edit)")
    parser.add_argument("--edit", choices=EDIT_KINDS, help="edit one file of the tree in --out instead")
    args = parser.parse_args(argv)
    if args.edit:
        print(edit(args.out, args.edit, args.seed))
        return 0
    stats = generate(args.count, args.seed, args.out)
    print(" ".join(f"{k}={v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
