"""The compiled fast check (fastjsonschema) never accepts a file that jsonschema rejects.

Valid files skip jsonschema, so the fast check must be at least as strict; files it rejects are
explained by jsonschema alone. Real files of every form are mutated at random places (wrong types,
values outside a choice list, impossible dates, keys added or removed) and both validators judge them.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piasite.model.loader import load_yaml
from piasite.model.schema import Schemas

ROOT = Path(__file__).resolve().parent.parent
FILES = [
    ROOT / "tests/fixtures/content/sample-city/01-sample/2019-02-08.yaml",
    ROOT / "tests/fixtures/content/sample-city/organization.yaml",
    ROOT / "content/kochi-city/01-juminhyo/2024-10-01.yaml",
    *sorted((ROOT / "content").glob("*/*/*.yaml"))[:6],
]
SCHEMAS = Schemas()
VALUES = [
    None, "", "x", "その他", "公表", "案", "終了", "全項目評価書", "概要", 0, 1, -1, 2, 1.0, 0.5, True, False,
    float("nan"), [], {}, ["x"], ["x", "x"], [None], {"x": 1}, "2023-02-30", "2023-01-01", "2023-1-01",
    "2023-01-01\n", "２０２３-０１-０１", "a@b", "http://x", "files[0].overview", "Files[0]", "123456",
]


def _places(data, path=()):
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _places(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _places(value, path + (i,))


def _mutate(data, place, action, value):
    """Apply one change at `place`: set a value, drop it, add an unknown key, or repeat a list entry."""
    data = copy.deepcopy(data)
    if not place:
        return data if action != "add" else {**data, "unknown_key": value}
    parent = data
    for part in place[:-1]:
        parent = parent[part]
    last = place[-1]
    if action == "set":
        parent[last] = value
    elif action == "drop":
        del parent[last]
    elif action == "add" and isinstance(parent[last], dict):
        parent[last]["unknown_key"] = value
    elif action == "repeat" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    return data


def _jsonschema_valid(schema, data) -> bool:
    return next(iter(schema.validator.iter_errors(data)), None) is None


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_check_agrees_on_real_files(path):
    loaded, _ = load_yaml(path, str(path))
    schema = SCHEMAS.organization if path.name == "organization.yaml" else SCHEMAS.assessment
    assert schema.is_valid(loaded.data) == _jsonschema_valid(schema, loaded.data)


@settings(max_examples=300, deadline=dt.timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(
    st.sampled_from(FILES),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(["set", "drop", "add", "repeat"]),
                       st.sampled_from(VALUES)), min_size=1, max_size=3),
)
def test_fast_check_never_accepts_what_jsonschema_rejects(path, steps):
    loaded, _ = load_yaml(path, str(path))
    schema = SCHEMAS.organization if path.name == "organization.yaml" else SCHEMAS.assessment
    data = loaded.data
    for where, action, value in steps:
        places = list(_places(data))
        data = _mutate(data, places[int(where * len(places))], action, value)
    if schema.is_valid(data):
        assert _jsonschema_valid(schema, data)
