"""The one loader of the admin's YAML settings files (ICP, engage settings, and the
selection, refresh and outreach settings).

Errors name the file, the place (a readable field path such as `criteria[2].min` and its
YAML line) and how to fix it, because the reader is an admin editing a text file, not a
developer reading a traceback. Each file brings its model, its own fix hints and the
checks between fields that no single validator can see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError

from core.errors import SettingsFileError

Loc = tuple[str | int, ...]
# (where, what is wrong, how to fix it)
Problem = tuple[Loc, str, str]
SettingsModel = TypeVar("SettingsModel", bound=BaseModel)
_BOUNDS = {"ge": "of at least", "gt": "greater than", "le": "of at most", "lt": "less than"}


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


def describe_problems(problems: list[Problem], root: yaml.Node | None) -> str:
    """Problems found after validation, one line each with path, line and fix."""
    return "\n".join(f"  - {located_message(loc, msg, fix, root)}" for loc, msg, fix in problems)


def read_settings_file(
    path: Path, *, what: str, error: type[SettingsFileError], example: Path | str
) -> str:
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
    text: str, *, what: str, source: str, error: type[SettingsFileError]
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


def located_message(loc: Loc, msg: str, fix: str, root: yaml.Node | None) -> str:
    """One validation error as `path: problem (line n). Fix: how.`"""
    line = line_of(root, loc)
    where = f" (line {line})" if line else ""
    return f"{path_text(loc)}: {msg}{where}. Fix: {fix}."


def common_fix(error: dict[str, Any], loc: Loc, allowed: list[str]) -> str | None:
    """The fix for the error kinds every settings file shares, else None.

    `allowed` lists the fields valid at `loc`'s parent, to suggest on a misspelt key.
    """
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in {"extra_forbid", "extra_forbidden"}:
        hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return f"remove `{loc[-1]}` or correct its spelling{hint}"
    if kind == "missing":
        return f"add `{loc[-1]}`"
    for key, words in _BOUNDS.items():
        if key in ctx:
            return f"use a number {words} {ctx[key]}"
    return None


@dataclass(frozen=True)
class AdminYamlFile(Generic[SettingsModel]):
    """One kind of admin settings file: its model, how its errors read, and its checks.

    `describe_error(error, data, root)` words one pydantic error; `top_level` names the
    fields a file starts with; `example` is what to start from; an empty file means all
    defaults unless `empty_fix` says what it must hold; `cross_problems` finds what no
    single field's validator can see.
    """

    model: type[SettingsModel]
    what: str
    error: type[SettingsFileError]
    example: Path | str
    top_level: str
    describe_error: Callable[[dict[str, Any], Any, yaml.Node | None], str]
    cross_problems: Callable[[SettingsModel], list[Problem]] | None = None
    empty_fix: str | None = None

    def parse(self, text: str, source: str) -> SettingsModel:
        """The validated settings in `text`, or `error` saying where and how to fix."""
        what, error, example = self.what, self.error, self.example
        data, root = load_settings_yaml(text, what=what, source=source, error=error)
        if data is None:
            if self.empty_fix is not None:
                raise error(
                    f"{what} {source} is empty. Fix: {self.empty_fix} (start from {example})."
                )
            data = {}
        if not isinstance(data, dict):
            raise error(
                f"{what} {source}: the top level must be a mapping with {self.top_level}, "
                f"not a {type(data).__name__}. Fix: start from {example}."
            )
        try:
            settings = self.model.model_validate(data)
        except ValidationError as exc:
            details = "\n".join(f"  - {self.describe_error(e, data, root)}" for e in exc.errors())
            raise error(f"{what} {source} is invalid:\n{details}") from exc
        problems = self.cross_problems(settings) if self.cross_problems is not None else []
        if problems:
            raise error(f"{what} {source} is invalid:\n{describe_problems(problems, root)}")
        return settings

    def load(self, path: Path) -> SettingsModel:
        """Read and parse the file at `path`; `error` says why it cannot be used."""
        text = read_settings_file(path, what=self.what, error=self.error, example=self.example)
        return self.parse(text, str(path))

    def default(self) -> SettingsModel:
        """The shipped defaults (the `example` file), a fresh copy each call: callers may
        edit it."""
        return _shipped(self).model_copy(deep=True)  # type: ignore[return-value]


@cache
def _shipped(file: AdminYamlFile[Any]) -> BaseModel:
    # Read once per process: every node asks for the defaults.
    return file.load(Path(file.example))


def dump_admin_yaml(data: dict[str, Any], header: str) -> str:
    """Settings as YAML under a header comment, in the order the admin reads them."""
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def allowed_fields(model: type[BaseModel], loc: Loc) -> list[str]:
    """The fields valid where `loc` points, found by walking the model's nested fields."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None or isinstance(part, int):
            continue  # list items keep their model
        field = current.model_fields.get(part)
        current = _model_in(field.annotation) if field is not None else None
    return list(current.model_fields) if current is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds, through Optional and list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def error_describer(
    model: type[BaseModel],
) -> Callable[[dict[str, Any], Any, yaml.Node | None], str]:
    """Words pydantic errors of `model` with the fixes every settings file shares."""

    def describe(error: dict[str, Any], _data: Any, root: yaml.Node | None) -> str:
        loc: Loc = tuple(error["loc"])
        msg = str(error["msg"]).removeprefix("Value error, ")
        fix = common_fix(error, loc, allowed_fields(model, loc)) or "correct the value"
        return located_message(loc, msg, fix, root)

    return describe
