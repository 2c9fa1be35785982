"""Benchmark the build on generated corpora (tools/corpus.py) and check the scale targets of issue 10.

    .venv/bin/python tools/bench.py --sizes 100,1000,2000 --seed 1

For each size N: the floor (only parsing every YAML file with yaml.CSafeLoader), a full build
without and with Pagefind (each in a subprocess, whose process tree's summed RSS a monitor thread
polls every 50 ms), the time per pipeline stage, and a rebuild into the same output folder after a
one-file edit (a version file, an organisation file, a contractor's name, a new version), compared
byte for byte with a clean build of the edited tree. The full builds are clean (a new output folder,
no cache); a rebuild is incremental: it makes only the assessments whose files changed and the
site-wide pages whose inputs changed. Builds use every core (pipeline.default_jobs). Writes a
Markdown report to bench/RESULTS.md.

With the search index (issue 23), on a copy of the tree: the full build with the index, a rebuild with
the index after one edited version file (only the search bundles whose pages changed are indexed
again), compared byte for byte with a clean build, and the time to the first search result under
slow 4G in Chromium, this site's search page against stock Pagefind over one index of the same
pages (tools/search_speed.py):

    .venv/bin/python tools/bench.py --sizes 100,1000,2000 --edit-sizes 100,1000 --search-runs 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import corpus, search_speed  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
STAGES = ("assessments", "site pages", "links", "write", "search index")
EDITS = {
    "none": "変更なし",
    "text": "版のファイル",
    "org": "団体のファイル",
    "entity": "委託先名",
    "version": "版の追加",
}


# ---------------------------------------------------------------------------------------------
# Measuring one build


def _descendants(pid: int) -> list[int]:
    """Return pid and all its descendants (via /proc/<pid>/task/*/children)."""
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _rss_kib(pid: int) -> int:
    """Return a process's proportional set size (Pss): its private pages, and its share of the
    pages it shares (forked workers share most of their parent's), so that a sum over the process
    tree counts each page once. Falls back to VmRSS where smaps_rollup is missing."""
    return _kib(f"/proc/{pid}/smaps_rollup", "Pss:") or _kib(f"/proc/{pid}/status", "VmRSS:")


def _kib(path: str, field: str) -> int:
    """Return the kB figure of the line starting with `field` in a /proc file, or 0."""
    try:
        with open(path) as f:
            return next((int(line.split()[1]) for line in f if line.startswith(field)), 0)
    except OSError:
        return 0


class TreeMemory(threading.Thread):
    """Poll the summed memory (Pss) of a process and its descendants; keep the peak."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak_kib = max(self.peak_kib, sum(_rss_kib(p) for p in _descendants(self.pid)))
            self._halt.wait(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak_kib


@dataclass
class Run:
    """One build in a subprocess: time of build() itself, process wall time, stages, peak RSS."""

    seconds: float
    wall: float
    timings: dict[str, float]
    peak_mib: float
    files: int
    warnings: int


def run_build(content: Path, out: Path, search: bool) -> Run:
    """Run pipeline.build in a subprocess while sampling the process tree's memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(content), str(out), "1" if search else "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    monitor = TreeMemory(proc.pid)
    monitor.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    peak = monitor.stop()
    if proc.returncode != 0:
        raise SystemExit(f"build of {content} failed ({proc.returncode}):\n{stderr[-3000:]}")
    data = json.loads(stdout.strip().splitlines()[-1])
    return Run(data["seconds"], wall, data["timings"], peak / 1024, data["files"], data["warnings"])


def _child(content: str, out: str, search: str) -> None:
    """In the subprocess: build and print the BuildResult's figures as JSON."""
    from piasite.build.pipeline import build

    t = time.perf_counter()
    result = build(Path(content), Path(out), search=search == "1")
    seconds = time.perf_counter() - t
    print(
        json.dumps(
            {"seconds": seconds, "timings": result.timings, "files": result.files, "warnings": len(result.warnings)}
        )
    )


def floor_seconds(content: Path) -> float:
    """Time reading and parsing every YAML file with yaml.CSafeLoader, nothing else."""
    import yaml

    files = sorted(content.rglob("*.yaml"))
    t = time.perf_counter()
    for f in files:
        yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return time.perf_counter() - t


def tree_digest(folder: Path) -> dict[str, str]:
    """Return each file's path and SHA-256."""
    import hashlib

    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def same_tree(a: Path, b: Path) -> bool:
    """Whether two folders hold the same files with the same bytes."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        return False
    return all(filecmp.cmp(a / p, b / p, shallow=False) for p in files_a)


# ---------------------------------------------------------------------------------------------
# One size


@dataclass
class Indexed:
    """The search index at one size: full build and one-file rebuild with it, and time to first result."""

    build: Run
    rebuild: Run | None = None
    identical: bool | None = None
    speed: search_speed.Summary | None = None


@dataclass
class Size:
    """Everything measured for one corpus size."""

    n: int
    stats: dict[str, int]
    yaml_mib: float
    floor: float
    build: Run | None  # None with --index-only
    search: Run | None
    rebuilds: dict[str, tuple[Run, bool]] = field(default_factory=dict)
    indexed: Indexed | None = None


def bench_index(
    n: int, seed: int, content: Path, work: Path, rebuild: bool, runs: int, identical: bool = True
) -> Indexed:
    """Build a copy of the tree with the index; time first results; rebuild after one edit and compare."""
    tree = work / f"corpus-{n}-indexed"
    shutil.copytree(content, tree)
    site = work / f"site-{n}-indexed"
    result = Indexed(run_build(tree, site, search=True))
    print(f"N={n}: build with the index {result.build.seconds:.2f} s", flush=True)
    if runs:
        result.speed, _ = search_speed.measure(site, runs=runs, log=lambda line: print(f"N={n}:{line}", flush=True))
        shutil.rmtree(site / search_speed.STOCK)
        z = result.speed
        print(
            f"N={n}: first result ours {z.ours_s:.2f} s, stock {z.stock_s:.2f} s, ratio per query {z.ratio:.2f}, "
            f"ratio of medians {z.ratio_of_medians:.2f}",
            flush=True,
        )
    if rebuild:
        edited = corpus.edit(tree, "text", seed + 1)
        result.rebuild = run_build(tree, site, search=True)
        if identical:
            clean = work / f"site-{n}-indexed-clean"
            run_build(tree, clean, search=True)
            result.identical = same_tree(site, clean)
            shutil.rmtree(clean)
        print(
            f"N={n}: rebuild with the index after editing {edited.relative_to(tree)}: {result.rebuild.seconds:.2f} s "
            f"(index {result.rebuild.timings.get('search index', 0):.2f} s), identical to a clean build: "
            f"{_yes(result.identical)}",
            flush=True,
        )
    shutil.rmtree(site)
    shutil.rmtree(tree)
    return result


def bench_size(
    n: int, seed: int, search: bool, edits: list[str], work: Path, search_runs: int = 0, index_only: bool = False,
    identical: bool = True,
) -> Size:
    """Generate a corpus of n assessments and measure it."""
    content = work / f"corpus-{n}"
    t = time.perf_counter()
    stats = corpus.generate(n, seed, content)
    print(f"N={n}: generated {stats} in {time.perf_counter() - t:.1f} s", flush=True)
    yaml_mib = sum(p.stat().st_size for p in content.rglob("*.yaml")) / 2**20
    floor = floor_seconds(content)
    print(f"N={n}: floor {floor:.2f} s for {yaml_mib:.1f} MiB of YAML", flush=True)
    out = work / f"site-{n}"
    base = None
    if not index_only:
        base = run_build(content, out, search=False)
        print(f"N={n}: build without Pagefind {base.seconds:.2f} s, peak {base.peak_mib:.0f} MiB", flush=True)
    with_search = indexed = None
    if search:
        indexed = bench_index(n, seed, content, work, bool(edits), search_runs, identical)
        with_search = indexed.build
    size = Size(n, stats, yaml_mib, floor, base, with_search, indexed=indexed)
    if index_only:
        return size
    if edits:
        before = tree_digest(out)
        again = run_build(content, out, search=False)
        size.rebuilds["none"] = (again, tree_digest(out) == before)
        print(f"N={n}: rebuild without any change: {again.seconds:.2f} s", flush=True)
    for kind in edits:
        edited = corpus.edit(content, kind, seed)
        rebuild = run_build(content, out, search=False)
        clean = work / f"site-{n}-clean"
        run_build(content, clean, search=False)
        identical = same_tree(out, clean)
        shutil.rmtree(clean)
        size.rebuilds[kind] = (rebuild, identical)
        print(
            f"N={n}: rebuild after editing {edited.relative_to(content)}: {rebuild.seconds:.2f} s, "
            f"identical to a clean build: {'yes' if identical else 'no'}",
            flush=True,
        )
    shutil.rmtree(out)
    return size


# ---------------------------------------------------------------------------------------------
# Report


def machine() -> dict[str, str]:
    """Describe the machine the figures come from."""
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal:")), "0")
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = "?"
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": commit,
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "RAM": f"{int(mem) / 2**20:.1f} GiB",
        "Python": platform.python_version(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _yes(x: bool | None) -> str:
    return "not checked" if x is None else ("yes" if x else "no")


def _s(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def tables(all_sizes: list[Size]) -> list[str]:
    """Return the Markdown tables: overall figures, time per stage, rebuilds, the search index."""
    sizes = [z for z in all_sizes if z.build]  # --index-only measures the index alone
    lines = [] if not sizes else [
        "| N | 団体 | 版 | YAML MiB | floor s | build s (no Pagefind) | build / floor | build s (with Pagefind) "
        "| peak memory MiB (no / with Pagefind) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for z in sizes:
        peak_with = f"{z.search.peak_mib:.0f}" if z.search else "—"
        lines.append(
            f"| {z.n} | {z.stats['organizations']} | {z.stats['versions']} | {z.yaml_mib:.1f} | {_s(z.floor)} | "
            f"{_s(z.build.seconds)} | {z.build.seconds / z.floor:.1f} | {_s(z.search.seconds if z.search else None)} | "
            f"{z.build.peak_mib:.0f} / {peak_with} |"
        )
    if sizes:
        lines += ["", "Time per stage (s; the build with Pagefind for `search index`, without for the rest):", ""]
        lines += ["| N | " + " | ".join(STAGES) + " |", "|---:|" + "---:|" * len(STAGES)]
    for z in sizes:
        t = dict(z.build.timings, **({"search index": z.search.timings.get("search index")} if z.search else {}))
        lines.append(f"| {z.n} | " + " | ".join(_s(t.get(s)) for s in STAGES) + " |")
    kinds = [k for k in EDITS if any(k in z.rebuilds for z in sizes)]
    if kinds:
        lines += [
            "",
            "Rebuild into the same output folder after one edit (without Pagefind), and whether "
            "that output is byte-identical to a clean build of the edited tree:",
            "",
        ]
        lines += ["| N | " + " | ".join(f"{EDITS[k]} ({k}) s | % of build | identical" for k in kinds) + " |"]
        lines += ["|---:|" + "---:|---:|:---:|" * len(kinds)]
        for z in sizes:
            cells = []
            for k in kinds:
                run, same = z.rebuilds.get(k, (None, None))
                cells.append(
                    f"{_s(run.seconds)} | {100 * run.seconds / z.build.seconds:.0f}% | {'yes' if same else 'no'}"
                    if run
                    else "— | — | —"
                )
            lines.append(f"| {z.n} | " + " | ".join(cells) + " |")
    indexed = [z for z in all_sizes if z.indexed]
    if indexed:
        lines += [
            "",
            "The search index (issue 23): full build with it, rebuild with it after one edited version file "
            "(only the bundles whose pages changed are indexed again) and whether that equals a clean build; "
            "time to the first search result under slow 4G (150 ms, 1.6 Mbps) in Chromium, median over the "
            f"queries {', '.join(search_speed.QUERIES)}, this site's search page and stock Pagefind "
            "(one index of the same pages, default UI; for ガバメントクラウド stock finds nothing and its time is "
            "that of its answer 'no results'), with the requests and bytes fetched until then. The ratio per "
            "query is the median of ours / stock for the same query in the same run; the ratio of medians "
            "divides medians taken over different queries:",
            "",
            "| N | build s (with index) | rebuild s (with index) | % of build | of which index s | identical "
            "| first result s (ours) | first result s (stock) | ratio per query | ratio of medians "
            "| requests (ours / stock) | KiB (ours / stock) |",
            "|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|",
        ]
        for z in indexed:
            x, r, v = z.indexed, z.indexed.rebuild, z.indexed.speed
            rebuild = (
                f"{_s(r.seconds)} | {100 * r.seconds / x.build.seconds:.0f}% | {_s(r.timings.get('search index'))} | "
                f"{_yes(x.identical)}"
                if r
                else "— | — | — | —"
            )
            speed = (
                f"{v.ours_s:.2f} | {v.stock_s:.2f} | {v.ratio:.2f} | {v.ratio_of_medians:.2f} | "
                f"{v.ours_requests:.0f} / {v.stock_requests:.0f} | {v.ours_kib:.0f} / {v.stock_kib:.0f}"
                if v
                else "— | — | — | — | — | —"
            )
            lines.append(f"| {z.n} | {_s(x.build.seconds)} | {rebuild} | {speed} |")
    return lines


def targets(sizes: list[Size]) -> list[str]:
    """Check the issue's targets against the sizes measured; a target needing a missing size is not measured."""
    by_n = {z.n: z for z in sizes}
    k1, k2 = by_n.get(1000), by_n.get(2000)
    b1, b2 = (k if k and k.build else None for k in (k1, k2))
    rows = []

    def check(name: str, value: float | None, limit: float, shown: str) -> None:
        verdict = "not measured" if value is None else ("PASS" if value <= limit else "FAIL")
        rows.append(f"| {name} | {shown if value is not None else '—'} | {verdict} |")

    check(
        "full build without Pagefind at N=1000 ≤ 4× floor",
        b1 and b1.build.seconds / b1.floor,
        4.0,
        b1 and f"{b1.build.seconds / b1.floor:.1f}×",
    )
    inc = b1 and "text" in b1.rebuilds and b1.rebuilds["text"][0].seconds / b1.build.seconds
    check(
        "rebuild after one edited version file ≤ 5% of full build at N=1000",
        inc or None,
        0.05,
        f"{100 * inc:.0f}%" if inc else "",
    )
    peak = b2 and max(b2.build.peak_mib, b2.search.peak_mib if b2.search else 0)
    check("peak memory at N=2000 < 2 GiB", peak or None, 2048 - 1e-9, f"{peak:.0f} MiB" if peak else "")
    ratio = b1 and b2 and b2.build.seconds / b1.build.seconds
    check(
        "time N=2000 / time N=1000 ≤ 2.2 (build without Pagefind)", ratio or None, 2.2, f"{ratio:.2f}" if ratio else ""
    )
    inc = k1 and k1.indexed and k1.indexed.rebuild and k1.indexed.rebuild.seconds / k1.indexed.build.seconds
    check(
        "rebuild with the index after one edited version file ≤ 15% of full build with it at N=1000 (issue 23)",
        inc or None,
        0.15,
        f"{100 * inc:.0f}%" if inc else "",
    )
    speed = k1 and k1.indexed and k1.indexed.speed
    check(
        "time to first search result, ours / stock for the same query (median), ≤ 1.0 at N=1000 (issue 23)",
        speed.ratio if speed else None,
        1.0,
        f"{speed.ratio:.2f}" if speed else "",
    )
    check(
        "time to first search result, median ours / median stock, ≤ 1.0 at N=1000 (issue 23)",
        speed.ratio_of_medians if speed else None,
        1.0,
        f"{speed.ratio_of_medians:.2f}" if speed else "",
    )
    return ["| target | measured | result |", "|---|---:|:---:|", *rows]


def report(sizes: list[Size], argv: list[str]) -> str:
    """Return the whole Markdown report."""
    info = machine()
    lines = ["# Build benchmark", "", f"`{' '.join(['python tools/bench.py', *argv])}`", ""]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    lines += ["", *tables(sizes), "", "## Targets (issues 10 and 23)", "", *targets(sizes), ""]
    lines += [
        "build s is the time of `pipeline.build()` inside the subprocess (interpreter start and imports "
        "excluded); peak memory is the proportional set size (Pss) summed over the build process and its children "
        "(the forked workers, Pagefind), sampled every 50 ms.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        _child(*argv[1:4])
        return 0
    parser = argparse.ArgumentParser(description="Benchmark the build on generated corpora.")
    parser.add_argument("--sizes", default="100,1000,2000", help="comma-separated corpus sizes (assessments)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-search", action="store_true", help="skip the build with Pagefind")
    parser.add_argument(
        "--edits", default="text,org,entity,version", help=f"one-file edits to rebuild after ({','.join(EDITS)})"
    )
    parser.add_argument("--edit-sizes", default="", help="sizes to measure rebuilds at (default: every size)")
    parser.add_argument(
        "--search-runs", type=int, default=1, help="runs of each query when timing first search results (0: none)"
    )
    parser.add_argument(
        "--index-only", action="store_true", help="measure the search index alone (no build without it, no other edits)"
    )
    parser.add_argument(
        "--no-identical", action="store_true", help="skip the clean build that checks the rebuild with the index"
    )
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="Markdown file to write (default bench/RESULTS.md)"
    )
    parser.add_argument(
        "--work", type=Path, default=None, help="folder for corpora and sites (default: a new one in /tmp)"
    )
    args = parser.parse_args(argv)
    edits = [e for e in args.edits.split(",") if e]
    if unknown := set(edits) - (set(EDITS) - {"none"}):
        parser.error(f"unknown edits: {', '.join(sorted(unknown))}")
    work = Path(tempfile.mkdtemp(prefix="pia-bench-", dir=args.work))
    try:
        at = {int(n) for n in args.edit_sizes.split(",") if n}
        sizes = [
            bench_size(
                int(n), args.seed, not args.no_search, edits if not at or int(n) in at else [], work, args.search_runs,
                args.index_only, not args.no_identical,
            )
            for n in args.sizes.split(",")
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(sizes, argv)
    print(text)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(text, encoding="utf-8")
    print(f"written to {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
