"""Where in an admin's YAML settings file a validation error points: a readable field path
and its line, shared by the ICP file and the engage settings file."""

from __future__ import annotations

from pathlib import Path

import yaml

Loc = tuple[str | int, ...]


def path_text(loc: Loc) -> str:
    """('criteria', 2, 'min') → 'criteria[2].min'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """1-based line of the deepest YAML node found along `loc`."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:
                # the key itself may be the problem (an extra field): point at it
                key = next((k for k, _ in node.value if k.value == part), None)
                if key is not None:
                    return key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def describe_problems(problems: list[tuple[Loc, str, str]], root: yaml.Node | None) -> str:
    """Problems found after validation, one line each with path, line and fix."""
    return "\n".join(
        f"  - {path_text(loc)}: {msg} (line {line_of(root, loc)}). Fix: {fix}."
        for loc, msg, fix in problems
    )


def read_settings_file(path: Path, *, what: str, error: type[ValueError], example: Path) -> str:
    """The text of an admin's settings file, or `error` saying why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error(
            f"{what} {path} does not exist. Fix: create it, e.g. by copying {example}."
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{what} {path} cannot be read: {exc}") from exc


def load_settings_yaml(
    text: str, *, what: str, source: str, error: type[ValueError]
) -> tuple[object, yaml.Node | None]:
    """The parsed data and node tree of settings YAML, or `error` pointing at the bad line."""
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        if mark is None:
            raise error(f"{what} {source}: YAML syntax error: {problem}.") from exc
        lines = text.splitlines()
        shown = lines[mark.line].rstrip() if mark.line < len(lines) else ""
        raise error(
            f"{what} {source}: YAML syntax error at line {mark.line + 1}, column "
            f"{mark.column + 1}: {problem}.\n    {mark.line + 1} | {shown}\n"
            "Fix: check the indentation of this line and the ones just above it: items of "
            "the same list or mapping must start in the same column, with spaces, not tabs."
        ) from exc
    except yaml.YAMLError as exc:
        raise error(f"{what} {source}: not valid YAML: {exc}") from exc
