"""Derive the forms content/ has no real example of, for tools/corpus.py.

- 重点項目評価書 from a 全項目評価書: keep only what the key form's schema allows (unknown keys
  dropped by walking the schema, then values the schema still rejects removed one by one).
- 基礎項目評価書 from Ⅰ of a full or key assessment, mapped to the basic form's Ⅰ 関連情報.
"""

from __future__ import annotations

import datetime as dt
import json
import marshal
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "assessment.schema.json"


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = _schema()
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _prune(node: dict[str, Any], value: Any) -> None:
    """Drop mapping keys the schema node does not allow, recursively."""
    node = _resolve(node)
    if isinstance(value, dict) and "properties" in node:
        props = node["properties"]
        if node.get("additionalProperties") is False:
            for k in [k for k in value if k not in props]:
                del value[k]
        for k, v in value.items():
            _prune(props[k], v) if k in props else None
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for v in value:
            _prune(node["items"], v)


def _delete(data: Any, path: list) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]


def fit(data: dict[str, Any], form: str) -> dict[str, Any]:
    """Return a copy of `data` as `form`, keeping only what that form's schema accepts."""
    data = marshal.loads(marshal.dumps(data))
    data["form"] = form
    branch = next(b["then"] for b in _schema()["allOf"] if b["if"]["properties"]["form"]["const"] == form)
    _prune(branch, data)
    validator = Draft202012Validator(_schema())
    for _ in range(500):
        errors = sorted(
            validator.iter_errors(data), key=lambda e: (-len(e.absolute_path), list(map(str, e.absolute_path)))
        )
        if not errors:
            return data
        path = list(errors[0].absolute_path)
        if not path:
            raise ValueError(f"cannot fit to {form}: {errors[0].message}")
        _delete(data, path)
    raise ValueError(f"cannot fit to {form}: too many errors")


def derive_key(full: dict[str, Any]) -> dict[str, Any]:
    """Return a 重点項目評価書 holding the items of a 全項目評価書 that the key form has."""
    return fit(full, "重点項目評価書")


def derive_basic(src: dict[str, Any]) -> dict[str, Any]:
    """Return a 基礎項目評価書 built from Ⅰ 基本情報 of a full or key assessment."""
    info = src.get("basic_info") or {}
    business = info.get("business") or {}
    summary = "\n".join((business.get("description") or "").split("\n")[:6]) or None
    systems = "\n".join(s["name"] for s in info.get("systems") or [] if s.get("name")) or None
    cover = {k: v for k, v in src["cover"].items() if k in ("number", "title", "declaration", "special_notes")}
    data = {
        "form": "基礎項目評価書",
        "status": "公表",
        "cover": cover,
        "related_info": {
            "business": {"name": business.get("name"), "summary": summary, "system_names": systems},
            "file_names": info.get("file_names") or [f.get("name") for f in src.get("files") or [] if f.get("name")],
            "my_number_use": info.get("my_number_use"),
            "network_linkage": info.get("network_linkage"),
            "department": info.get("department"),
            "other_bodies": info.get("other_bodies"),
        },
        "threshold_items": {
            "target_population": "1万人以上10万人未満",
            "handler_count": "10人以上50人未満",
            "serious_incident": "発生なし",
        },
        "threshold_result": "基礎項目評価の実施が義務付けられる",
    }
    return fit(_no_nulls(data), "基礎項目評価書")


def _no_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    return value


def resolvable_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the change-log rows whose 項目 the site can place in this version (others would warn).

    Uses the site's own item resolver; if its interface changes, every row is kept.
    """
    rows = list(data.get("change_log") or [])
    try:
        from piasite.document.itemref import ItemResolver
        from piasite.document.sections import document_sections
        from piasite.model.content import Site, Version
        from piasite.model.schema import Schemas

        version = Version(dt.date(2000, 1, 1), data, "", None)  # type: ignore[arg-type]
        resolver = ItemResolver(document_sections(Site([], Schemas()), version, ""))
        return [row for row in rows if resolver.resolve(row.get("item")) is not None]
    except Exception:  # noqa: BLE001 - a filter only; the corpus is still valid without it
        return rows
