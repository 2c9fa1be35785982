"""Command line: `python build.py [build|validate] [--content DIR] [--out DIR]`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .entities import KINDS
from .errors import BuildError, ContentErrors, ContentProblem
from .pipeline import BrokenLinks, build, validate

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """Argument parser whose usage errors exit with status 2 and a Japanese message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"使い方の誤り: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="build.py", description="特定個人情報保護評価書のサイトを検証・生成します。")
    sub = parser.add_subparsers(dest="command")
    for name, help_text in (("build", "検証してからサイトを生成します(既定)"), ("validate", "内容を検証します")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--content", default="content", type=Path, help="コンテンツのフォルダ(既定: content)")
        p.add_argument("--format", choices=("text", "github"), default="text",
                       help="エラーと警告の形式。github は GitHub Actions の注釈(プルリクエストの行に表示)")
        if name == "build":
            p.add_argument("--out", default="site", type=Path, help="出力先のフォルダ(既定: site)")
            p.add_argument("--base-url", default=os.environ.get("PIA_BASE_URL", ""),
                           help="公開先の URL(例: https://example.github.io/pia/)。sitemap.xml に使います(既定: 環境変数 PIA_BASE_URL)")
            p.add_argument("--strict", action="store_true", help="リンク切れをエラーにします(CI 用)")
    return parser


def _report(problems: list[ContentProblem], fmt: str = "text") -> None:
    for problem in sorted(problems):
        print(github_annotation(problem) if fmt == "github" else problem.format(), file=sys.stderr)


def _escape(value: str, property_value: bool = False) -> str:
    """Escape a value for a GitHub workflow command (data, or a property when `property_value`)."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if property_value else value


def github_annotation(problem: ContentProblem) -> str:
    """Format a problem as a GitHub Actions annotation: ::error file=…,line=…,col=…::message."""
    level = "error" if problem.severity == "error" else "warning"
    props = [f"file={_escape(problem.file, True)}"]
    if problem.line:
        props += [f"line={problem.line}", f"col={problem.column or 1}"]
    label = f"[{problem.item}] " if problem.item else ""
    return f"::{level} {','.join(props)}::{_escape(label + problem.message)}"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["build", *argv]
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        if args.command == "validate":
            site, warnings = validate(args.content)
            _report(warnings, args.format)
            versions = sum(len(a.versions) for a in site.assessments)
            print(f"検証しました: 団体 {len(site.organizations)}、評価書 {len(site.assessments)}、版 {versions}。エラー 0 件、警告 {len(warnings)} 件。")
            return EXIT_OK
        result = build(args.content, args.out, base_url=args.base_url, strict=args.strict)
        _report(result.warnings, args.format)
        for link in result.broken_links:
            print(f"警告: {link.format()}", file=sys.stderr)
        r = result.report
        if r:
            kinds = "、".join(f"{KINDS[k][0]} {n}" for k, n in r.get("entities", {}).items())
            print(f"名前の一覧: {kinds}。法令の引用: {r['citations']} か所(条文まで特定 {r['citations_with_article']} か所、"
                  f"法令 {r['laws']} 件)、読み取れなかった引用らしい記載 {r['citations_unparsed']} 件。")
        total = sum(result.timings.values())
        print(f"サイトを生成しました: {args.out}/ に {result.files} ファイル、警告 {len(result.warnings)} 件、{total:.1f} 秒。")
        return EXIT_OK
    except ContentErrors as exc:
        _report(exc.problems, args.format)
        files = len({p.file for p in exc.problems})
        print(f"エラー {len(exc.problems)} 件({files} ファイル)。出力は変更していません。", file=sys.stderr)
        return EXIT_CONTENT
    except BrokenLinks as exc:
        for link in exc.broken:
            print(f"エラー: {link.format()}", file=sys.stderr)
        print(f"エラー: {exc} 出力は変更していません。", file=sys.stderr)
        return EXIT_CONTENT
    except BuildError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    except Exception as exc:  # noqa: BLE001 - editors get a message, never a traceback
        logging.getLogger(__name__).debug("unexpected failure", exc_info=True)
        print(f"エラー: サイトの生成中に予期しない問題が起きました({type(exc).__name__}: {exc})。出力は変更していません。", file=sys.stderr)
        return EXIT_CONTENT
