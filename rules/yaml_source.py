"""Read a rule's YAML while keeping where every key and value stands in the file.

PyYAML's compose step gives nodes with marks; this module builds plain Python values from them
and a table ``path -> (line, column)`` (1-based) so that a validation error can point at the
exact place a person has to change. Duplicate keys are reported here, because a plain YAML load
silently keeps the last one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[Any, ...]


@dataclass
class YamlDocument:
    """The constructed value of a YAML document and the position of each path in it."""

    value: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[tuple[tuple[int, int], str]] = field(default_factory=list)

    def position(self, path: Path, *, of_key: bool = False) -> tuple[int, int]:
        """The position of the value (or of its key) at ``path``, or of its nearest parent."""
        table = self.key_positions if of_key else self.positions
        for cut in range(len(path), -1, -1):
            found = table.get(path[:cut]) or self.positions.get(path[:cut])
            if found is not None:
                return found
        return (1, 1)


class YamlSyntaxError(Exception):
    """YAML that cannot be parsed; carries the position PyYAML reported."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


def read_yaml(text: str) -> YamlDocument:
    """Compose ``text`` and build its values, positions and duplicate-key problems."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSyntaxError(line, column, f"{error.problem or error}") from error
    except yaml.YAMLError as error:
        # A ReaderError (control character, bad encoding) has a character offset, no mark.
        offset = int(getattr(error, "position", 0) or 0)
        line = text.count("\n", 0, offset) + 1
        column = offset - text.rfind("\n", 0, offset)
        raise YamlSyntaxError(line, column, str(error).splitlines()[0]) from error
    document = YamlDocument(value=None)
    if node is not None:
        document.value = _build(node, (), document, yaml.SafeLoader(""))
    return document


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: yaml.Node, path: Path, document: YamlDocument, loader: yaml.SafeLoader) -> Any:
    document.positions[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, document, loader)
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), document, loader) for index, item in enumerate(node.value)
        ]
    value = loader.construct_object(node, deep=True)
    # A bare date in YAML becomes a date object; rules speak in strings.
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _build_mapping(
    node: yaml.MappingNode, path: Path, document: YamlDocument, loader: yaml.SafeLoader
) -> dict[Any, Any]:
    built: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = _build(key_node, (*path, "<key>"), document, loader)
        if not isinstance(key, str | int | bool | float) and key is not None:
            document.problems.append((_mark(key_node), "a key must be a plain word or number"))
            continue
        if key in built:
            first = document.key_positions[(*path, key)]
            document.problems.append(
                (_mark(key_node), f"duplicate key '{key}' (first given at line {first[0]})")
            )
            continue
        document.key_positions[(*path, key)] = _mark(key_node)
        built[key] = _build(value_node, (*path, key), document, loader)
    document.positions.pop((*path, "<key>"), None)
    return built
