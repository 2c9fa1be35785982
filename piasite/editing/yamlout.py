"""YAML as editors write it: multi-line text as literal blocks (`|`), keys in the order given, Japanese as is."""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line strings, as the hand-written files in content/ use."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(data: Any, width: int = 10**6) -> str:
    """Return data as YAML text: no line is folded below `width` characters."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=width)
