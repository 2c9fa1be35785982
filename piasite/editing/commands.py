"""The editors' commands: `new`, `new-version`, `changes`, `reconstruct` and `serve`."""

from __future__ import annotations

import argparse
import sys

from ..build.pipeline import validate
from ..model.errors import BuildError
from .drafts import diff_to_previous, draft_rows, format_rows
from .scaffold import new_assessment, new_version, parse_target


def run(args: argparse.Namespace) -> int:
    """Run one editors' command; return the exit status."""
    if args.command == "new":
        for path in new_assessment(args.content, args.target, args.form, args.date):
            print(f"作成しました: {path}")
        print("各項目の上の説明(# の行)を見ながら値を書き、build.py validate で確かめてください。")
        return 0
    if args.command == "new-version":
        source, written = new_version(args.content, args.target, args.date)
        print(f"作成しました: {written}({source.name} のコピー)")
        print(f"内容を新しい版に直したら、build.py changes {args.target} で変更箇所の下書きを作れます。")
        return 0
    if args.command == "changes":
        return _changes(args)
    if args.command == "reconstruct":
        from .reconstruct import run as reconstruct

        return reconstruct(args)
    from .serve import serve

    return serve(args.content, args.port, args.out)


def _changes(args: argparse.Namespace) -> int:
    """Print the drafted change-log rows of the newest version on stdout."""
    org, slug = parse_target(args.target)
    site, _ = validate(args.content)
    assessment = next((a for a in site.assessments if a.org.slug == org and a.slug == slug), None)
    if assessment is None:
        raise BuildError(f"評価書 {org}/{slug} が {args.content} に見つかりません。")
    diff = diff_to_previous(site, assessment)
    if diff is None:
        raise BuildError(f"{org}/{slug} には版が1つしかありません。比べる前の版がないので、下書きは作れません。")
    rows = draft_rows(site, assessment, diff)
    sys.stdout.write(format_rows(rows, diff))
    if not rows:
        print(f"{diff.old.iso} の版からの変更で、変更箇所に書かれていないものはありません。", file=sys.stderr)
    else:
        print(f"変更箇所の下書き {len(rows)} 行を表示しました。", file=sys.stderr)
    return 0
