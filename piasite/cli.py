"""Command line: `python build.py [build|validate|new|new-version|changes|import|reconstruct|serve] …`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from .analysis.entities import KINDS
from .build.pipeline import BrokenLinks, BuildResult, build, validate
from .build.progress import Progress
from .model.errors import BuildError, ContentErrors, ContentProblem, UsageError, unique

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EDITING = ("new", "new-version", "changes", "reconstruct", "serve")  # the editors' commands (editing.commands)
# the stages BuildResult.timings names (build/pipeline.py), as editors read them
STAGES = {"assessments": "評価書ごとの検証・生成", "site pages": "サイト全体のページ", "links": "リンク確認",
          "search index": "検索インデックス", "write": "書き出し"}


class _Parser(argparse.ArgumentParser):
    """Argument parser whose usage errors exit with status 2 and a Japanese message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"使い方の誤り: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _content(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", default="content", type=Path, help="コンテンツのフォルダ(既定: content)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="build.py", description="特定個人情報保護評価書のサイトを検証・生成します。")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, help_text in (("build", "検証してからサイトを生成します(既定)"), ("validate", "内容を検証します")):
        p = sub.add_parser(name, help=help_text)
        _content(p)
        p.add_argument("--format", choices=("text", "github"), default="text",
                       help="エラーと警告の形式。github は GitHub Actions の注釈(プルリクエストの行に表示)")
        loud = p.add_mutually_exclusive_group()
        loud.add_argument("--quiet", "-q", action="store_true", help="エラーだけを表示します(警告・進み具合・まとめは表示しません)")
        loud.add_argument("--verbose", "-v", action="store_true", help="段階ごとの所要時間と詳しいログを表示します")
        p.add_argument("--all-warnings", action="store_true",
                       help="すべてのファイルの警告を表示します(既定では、git で自分が変更したファイルの"
                            "警告だけを表示し、ほかのファイルの警告は数だけを表示します。"
                            "--format github ではいつもすべて)")
        if name == "build":
            p.add_argument("--out", default="site", type=Path, help="出力先のフォルダ(既定: site)")
            p.add_argument("--base-url", default=os.environ.get("PIA_BASE_URL", ""),
                           help="公開先の URL(例: https://example.github.io/pia/)。sitemap.xml に使います(既定: 環境変数 PIA_BASE_URL)")
            p.add_argument("--build-date", default=os.environ.get("PIA_BUILD_DATE", ""), metavar="YYYY-MM-DD",
                           help="「意見募集は終了しました」「5年以上が経過」などの注記の基準日"
                                "(既定: 環境変数 PIA_BUILD_DATE、なければ内容の版の日付のうち最も新しいもの。"
                                "生成した日付は使わないので、同じ内容からは同じサイトができます)")
            p.add_argument("--strict", action="store_true", help="リンク切れをエラーにします(CI 用)")
            p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                           help="評価書を並行して生成するプロセスの数(既定: CPU のコア数)")
            p.add_argument("--full", action="store_true",
                           help="前回の生成結果を使わず、すべての評価書を生成し直します(既定では変わった評価書だけを生成します)")
    p = sub.add_parser("new", help="新しい評価書の最初の版を、様式の全項目を空欄にした下書きとして作ります")
    p.add_argument("target", metavar="<団体>/<評価書>", help="例: sample-city/01-juki")
    p.add_argument("--form", required=True, choices=("full", "key", "basic", "summary"),
                   help="様式: full=全項目評価書、key=重点項目評価書、basic=基礎項目評価書、summary=概要")
    p.add_argument("--date", help="公表日 YYYY-MM-DD(既定: 今日)")
    _content(p)
    p = sub.add_parser("new-version", help="最新の版をコピーして、新しい公表日の版を作ります")
    p.add_argument("target", metavar="<団体>/<評価書>")
    p.add_argument("--date", help="新しい版の公表日 YYYY-MM-DD(既定: 今日)")
    _content(p)
    p = sub.add_parser("changes", help="最新の版と前の版の違いから、変更箇所(change_log)の行の下書きを表示します")
    p.add_argument("target", metavar="<団体>/<評価書>")
    _content(p)
    p = sub.add_parser("import", help="PDF から抽出したテキストを読み、評価書の版の下書き(YAML)を作ります")
    p.add_argument("source", metavar="SOURCE", help="PDF から抽出したテキストのファイル(UTF-8)")
    p.add_argument("--form", required=True, choices=("full", "key", "basic", "summary"),
                   help="様式: full=全項目評価書、key=重点項目評価書、basic=基礎項目評価書、summary=概要")
    p.add_argument("--out", help="下書きを書き出すファイル(--org/--assessment の代わり)")
    p.add_argument("--org", help="団体のフォルダ名(例: sample-city)")
    p.add_argument("--assessment", help="評価書のフォルダ名(例: 01-juki)")
    p.add_argument("--date", help="公表日 YYYY-MM-DD(原本に公表日が印刷されていないときは必須)")
    _content(p)
    p = sub.add_parser("reconstruct", help="変更箇所の「変更前の記載」から、前の変更日の時点の版を復元します")
    p.add_argument("version", type=Path, help="復元元の版のファイル(content/<団体>/<評価書>/<日付>.yaml)")
    p.add_argument("--date", help="元に戻す変更日(YYYY-MM-DD、既定: 変更箇所の最も新しい変更日)")
    p.add_argument("--dry-run", action="store_true", help="ファイルを書かずに報告だけ表示します")
    p.add_argument("--force", action="store_true", help="同じ日付のファイルがあっても上書きします")
    _content(p)
    p = sub.add_parser("serve", help="手元のブラウザで確認するためにサイトを配信し、内容を変えると作り直します")
    _content(p)
    p.add_argument("--port", type=int, default=8000, help="ポート番号(既定: 8000)")
    p.add_argument("--out", type=Path, help="出力先のフォルダ(既定: 一時フォルダ)")
    return parser


def _report(
    problems: list[ContentProblem], fmt: str = "text", quiet: bool = False, mine: set[Path] | None = None
) -> None:
    """Print each problem once; with `mine`, only the warnings of those files, the others' as a count."""
    from .editing.changed import is_mine

    others = 0
    for problem in unique(problems):
        if quiet and problem.severity != "error":
            continue
        if mine is not None and problem.severity != "error" and not is_mine(problem.file, mine):
            others += 1
            continue
        print(github_annotation(problem) if fmt == "github" else problem.format(), file=sys.stderr)
    if others:
        print(f"ほかのファイル(git で変更していないファイル)の警告 {others} 件は表示していません。"
              "すべて表示するには --all-warnings を付けます。", file=sys.stderr)


def _own_files(args: argparse.Namespace) -> set[Path] | None:
    """The files whose warnings are printed in full: None (all) for CI annotations, --all-warnings or without git."""
    if args.quiet or args.all_warnings or args.format == "github":
        return None
    from .editing.changed import changed_files

    return changed_files(args.content)


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


def _timings(timings: dict[str, float]) -> str:
    return "、".join(f"{STAGES.get(k, k)} {v:.2f} 秒" for k, v in timings.items())


def _build_summary(args: argparse.Namespace, result: BuildResult) -> None:
    """Print the warnings, the figures of the build and its one-line summary."""
    result.warnings = unique(result.warnings)
    _report(result.warnings, args.format, args.quiet, _own_files(args))
    if not args.quiet:
        for link in result.broken_links:
            print(f"警告: {link.format()}", file=sys.stderr)
    if args.verbose:
        print(f"段階ごとの時間: {_timings(result.timings)}", file=sys.stderr)
    if args.quiet:
        return
    r = result.report
    if r:
        kinds = "、".join(f"{KINDS[k][0]} {n}" for k, n in r.get("entities", {}).items())
        print(f"名前の一覧: {kinds}。法令の引用: {r['citations']} か所(条文まで特定 {r['citations_with_article']} か所、"
              f"法令 {r['laws']} 件)、読み取れなかった引用らしい記載 {r['citations_unparsed']} 件。")
    total = sum(result.timings.values())
    print(f"サイトを生成しました: {args.out}/ に {result.files} ファイル、警告 {len(result.warnings)} 件、{total:.1f} 秒。")


def _run(args: argparse.Namespace) -> int:
    """Run one command; errors are raised and reported by `main`."""
    if args.command == "import":
        from .editing.importer import import_source

        if not args.out and not (args.org and args.assessment):
            raise UsageError("--out FILE か、--org と --assessment の両方を指定してください。")
        return import_source(args)
    if args.command in EDITING:
        from .editing import commands

        return commands.run(args)
    progress = Progress(enabled=None if not args.quiet else False)
    if args.command == "validate":
        t0 = time.perf_counter()
        try:
            site, warnings = validate(args.content, progress)
        finally:
            progress.clear()
        warnings = unique(warnings)
        _report(warnings, args.format, args.quiet, _own_files(args))
        if args.verbose:
            print(f"段階ごとの時間: 検証 {time.perf_counter() - t0:.2f} 秒", file=sys.stderr)
        if not args.quiet:
            versions = sum(len(a.versions) for a in site.assessments)
            print(f"検証しました: 団体 {len(site.organizations)}、評価書 {len(site.assessments)}、版 {versions}。"
                  f"エラー 0 件、警告 {len(warnings)} 件。")
        return EXIT_OK
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs には 1 以上の数を指定してください。")
    result = build(args.content, args.out, base_url=args.base_url, strict=args.strict, progress=progress,
                   jobs=args.jobs, incremental=not args.full, build_date=args.build_date)
    _build_summary(args, result)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["build", *argv]
    args = _parser().parse_args(argv)
    verbose = getattr(args, "verbose", False)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    if verbose:
        logging.getLogger("piasite").setLevel(logging.DEBUG)  # ours only: markdown-it's debug log is noise
    fmt = getattr(args, "format", "text")
    try:
        return _run(args)
    except ContentErrors as exc:
        _report(exc.problems, fmt)
        files = len({p.file for p in exc.problems})
        print(f"エラー {len(exc.problems)} 件({files} ファイル)。出力は変更していません。", file=sys.stderr)
        return EXIT_CONTENT
    except BrokenLinks as exc:
        for link in exc.broken:
            print(f"エラー: {link.format()}", file=sys.stderr)
        print(f"エラー: {exc} 出力は変更していません。", file=sys.stderr)
        return EXIT_CONTENT
    except UsageError as exc:
        print(f"使い方の誤り: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BuildError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - editors get a message, never a traceback
        logging.getLogger(__name__).debug("unexpected failure", exc_info=True)
        print(f"エラー: サイトの生成中に予期しない問題が起きました({type(exc).__name__}: {exc})。出力は変更していません。", file=sys.stderr)
        return EXIT_CONTENT
