"""Output safety and integrity: injected markup stays inert text, failed builds leave the old site
exactly as it was, and the output never holds a path of the machine that built it."""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import CONTENT

from piasite.build.pipeline import build, validate
from piasite.cli import main
from piasite.model.loader import _Loader
from piasite.model.schema import Schemas
from piasite.output import render

ROOT = Path(__file__).resolve().parent.parent

# Markup, attribute breakouts and template syntax an editor (or an attacker with commit rights) might paste.
PAYLOAD = "<script>alert('pia')</script><img src=x onerror=alert(1)>\"'><svg onload=alert(2)> onfocus=alert(3) {{ 7*7 }}{% raw %}"
# Fields whose value is not free text in any form: changing them changes what the file is.
_FIXED = {"form", "status"}


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _set(data: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _text_paths(data: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(data, dict):
        return [p for k, v in data.items() if k not in _FIXED for p in _text_paths(v, path + (k,))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _text_paths(v, path + (i,))]
    return [path] if isinstance(data, str) else []


def _inject(data: dict, validator) -> int:
    """Append the payload to every string the schema accepts as free text; return how many took it."""
    paths = _text_paths(data)
    originals = {p: _get(data, p) for p in paths}
    for p in paths:
        _set(data, p, originals[p] + PAYLOAD)
    for _ in range(10):  # put back values the schema constrains (choices, dates, codes), until it accepts
        rejected = {tuple(e.absolute_path) for e in validator.iter_errors(data)}
        restore = [p for p in paths if any(p[: len(r)] == r for r in rejected) and _get(data, p) != originals[p]]
        if not restore:
            break
        for p in restore:
            _set(data, p, originals[p])
    return sum(1 for p in paths if _get(data, p) != originals[p])


@pytest.fixture(scope="module")
def injected_site(tmp_path_factory) -> tuple[Path, int]:
    """The real content with the payload appended to every free-text value, built without search."""
    root = tmp_path_factory.mktemp("injected")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    schemas = Schemas()
    injected = 0
    for path in sorted(content.rglob("*.yaml")):
        if path.name == "aliases.yaml":
            continue
        schema = schemas.organization if path.name == "organization.yaml" else schemas.assessment
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_Loader)
        injected += _inject(data, schema.validator)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")
    out = root / "site"
    build(content, out, search=False)
    return out, injected


def test_injected_markup_in_every_text_field_renders_as_inert_text(injected_site):
    out, injected = injected_site
    assert injected > 1000  # every kind of text field of every assessment took the payload
    shown = 0
    for page in sorted(out.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        name = str(page.relative_to(out))
        for script in soup.find_all("script"):
            src = script.get("src", "")
            assert src.endswith(".js") and "//" not in src and not script.string, f"{name}: {script}"
        for tag in soup.find_all(True):
            handlers = [a for a in tag.attrs if a.lower().startswith("on")]
            assert not handlers, f"{name}: <{tag.name} {handlers}>"
            assert not (tag.name == "img" and tag.get("src") == "x"), name
            for attr in ("href", "src", "action"):
                assert not str(tag.get(attr, "")).strip().lower().startswith(("javascript:", "data:")), name
        assert not soup.find("svg", attrs={"onload": True}), name
        text = soup.get_text()
        shown += text.count(PAYLOAD)
    assert shown >= injected  # shown whole as text (template syntax included), once per field at least


def test_injected_markup_stays_text_in_the_feed_and_the_open_data(injected_site):
    out, _ = injected_site
    feed = ET.parse(out / "feed.xml").getroot()
    assert any("<script>" in (el.text or "") for el in feed.iter())
    for path in out.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))


def _old_site(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    out = tmp_path / "site"
    build(ROOT / "tests/fixtures/content", out, search=False)
    return out, _tree_digest(out)


def test_a_full_disk_while_writing_leaves_the_previous_site_and_no_temporary_folder(tmp_path, monkeypatch):
    out, before = _old_site(tmp_path)
    written = []
    real_write = Path.write_bytes

    def write_until_full(self: Path, data: bytes) -> int:
        if len(written) >= 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(self)
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_until_full)
    status = main(["build", "--content", str(ROOT / "tests/fixtures/content"), "--out", str(out)])
    monkeypatch.undo()
    assert status == 1 and len(written) == 5
    assert _tree_digest(out) == before
    assert _leftovers(tmp_path) == []


def _leftovers(folder: Path) -> list[str]:
    """Names beside the output other than the site and its build cache (a staging folder left behind)."""
    return sorted(p.name for p in folder.iterdir() if p.name not in ("site", ".site.cache"))


def test_a_failure_of_the_search_index_leaves_the_previous_site(tmp_path, monkeypatch):
    out, before = _old_site(tmp_path)

    def broken(folder: Path, store: Path, **kwargs) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("piasite.build.pipeline.build_index", broken)
    assert main(["build", "--content", str(ROOT / "tests/fixtures/content"), "--out", str(out)]) == 1
    assert _tree_digest(out) == before
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("failure", ["template", "exception in an assessment", "exception in the site pages"])
def test_a_template_error_or_an_exception_while_rendering_leaves_the_previous_site(failure, tmp_path, monkeypatch, capsys):
    out, before = _old_site(tmp_path)
    if failure == "template":
        real_environment = render.make_environment

        def broken_environment():
            env = real_environment()
            env.get_template = lambda name, *a, **k: env.from_string("{% for x in %}")  # a syntax error
            return env

        monkeypatch.setattr(render, "make_environment", broken_environment)
    elif failure == "exception in an assessment":
        # the program did not change, so --full makes the build render the assessments again
        monkeypatch.setattr("piasite.output.render.assessment_pages", lambda *a, **k: 1 / 0)
    else:
        monkeypatch.setattr("piasite.build.pipeline.site_page_jobs", lambda *a, **k: 1 / 0)
    status = main(["build", "--content", str(ROOT / "tests/fixtures/content"), "--out", str(out), "--full"])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err and "出力は変更していません" in err
    assert _tree_digest(out) == before


def test_the_output_holds_no_path_of_the_machine_that_built_it(built_site, tmp_path):
    needles = {str(ROOT).encode(), str(Path.home()).encode(), str(built_site.parent).encode(), str(tmp_path.parent).encode()}
    needles = {n for n in needles if len(n) > 1}
    checked = 0
    for path in built_site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":  # the search index: gzip-compressed
            data = gzip.decompress(data)
        elif data.startswith(b"pagefind_dcd"):
            data = gzip.decompress(data[len(b"pagefind_dcd"):])
        for needle in needles:
            assert needle not in data, f"{path.relative_to(built_site)} holds {needle!r}"
        checked += 1
    assert checked > 100


def test_validate_of_the_injected_content_is_clean(injected_site, tmp_path):
    """The injection did not make the content invalid: what was rendered is what an editor could commit."""
    out, _ = injected_site
    content = out.parent / "content"
    site, warnings = validate(content)
    names = lambda s: [(a.org.slug, a.slug, len(a.versions)) for a in s.assessments]  # noqa: E731
    assert names(site) == names(validate(CONTENT)[0])  # every assessment and version of the content
