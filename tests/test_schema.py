"""The JSON Schemas: valid 2020-12, every field labelled in Japanese, choice lists as the forms print them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
SCHEMAS = sorted(SCHEMA_DIR.glob("*.schema.json"))
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _properties(node, path=()):
    """Yield (path, key, subschema) for every property declared anywhere in a schema."""
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            yield path, key, sub
        for key, sub in node.items():
            if key != "if":  # conditions select a variant; they declare no fields
                yield from _properties(sub, path + (key,))
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, path + (i,))


def _objects(node, path=()):
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            yield path, node
        for key, sub in node.items():
            if key != "if":
                yield from _objects(sub, path + (key,))
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _objects(sub, path + (i,))


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_valid_2020_12(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(doc)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_property_has_a_japanese_title_and_snake_case_key(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    missing = []
    for where, key, sub in _properties(doc):
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key), f"key {key!r} at {where} is not snake_case"
        title = sub.get("title", "")
        if not JAPANESE.search(title):
            missing.append(f"{'/'.join(map(str, where))}/{key}")
    assert not missing, f"properties without a Japanese title: {missing}"


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_object_forbids_unknown_keys(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    loose = [
        "/".join(map(str, where))
        for where, node in _objects(doc)
        if "properties" in node and node.get("additionalProperties") is not False
        and where not in ((),)  # the assessment root dispatches to a closed variant per form
    ]
    assert not loose, f"objects that allow unknown keys: {loose}"


def test_choice_lists_are_in_the_forms_order():
    defs = json.loads((SCHEMA_DIR / "assessment.schema.json").read_text(encoding="utf-8"))["$defs"]
    assert defs["subject_count"]["enum"][:5] == [
        "1万人未満", "1万人以上10万人未満", "10万人以上100万人未満", "100万人以上1,000万人未満", "1,000万人以上",
    ]
    assert defs["target_population"]["enum"][:5] == [
        "1,000人未満", "1,000人以上1万人未満", "1万人以上10万人未満", "10万人以上30万人未満", "30万人以上",
    ]
    assert defs["staff_count"]["enum"][:6] == [
        "10人未満", "10人以上50人未満", "50人以上100人未満", "100人以上500人未満", "500人以上1,000人未満", "1,000人以上",
    ]
    assert defs["rating"]["enum"] == ["特に力を入れている", "十分である", "課題が残されている", None]


def test_every_form_is_a_closed_variant():
    doc = json.loads((SCHEMA_DIR / "assessment.schema.json").read_text(encoding="utf-8"))
    forms = doc["properties"]["form"]["enum"]
    assert forms == ["全項目評価書", "重点項目評価書", "基礎項目評価書", "概要"]
    targets = {b["if"]["properties"]["form"]["const"]: b["then"]["$ref"] for b in doc["allOf"]}
    assert set(targets) == set(forms)
    for ref in targets.values():
        variant = doc["$defs"][ref.split("/")[-1]]
        assert variant["additionalProperties"] is False
        assert "form_version" in variant["properties"]
