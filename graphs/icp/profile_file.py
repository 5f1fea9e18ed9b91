"""The admin's ICP as a YAML file: load with errors that point at the line, dump, default.

Errors name the file, the place (YAML line, or the field path such as
`criteria[2].min` with its line) and how to fix it, because the reader is an admin
editing a text file, not a developer reading a traceback.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from core.admin_yaml import (
    Loc,
    describe_problems,
    line_of,
    load_settings_yaml,
    path_text,
    read_settings_file,
)
from core.icp_profile import (
    EmployeeRangeCriterion,
    FitRule,
    FreeTextCriterion,
    GeographyCriterion,
    IcpProfile,
    IndustryCriterion,
    JobTitleCriterion,
    RevenueRangeCriterion,
)
from graphs.icp.geography import REGIONS, country_key, region_key
from graphs.icp.title import DEPARTMENTS, department_key

DEFAULT_ICP_PATH = Path(__file__).with_name("default_icp.yaml")

_KINDS: dict[str, type[BaseModel]] = {
    "industry": IndustryCriterion,
    "employees": EmployeeRangeCriterion,
    "revenue": RevenueRangeCriterion,
    "geography": GeographyCriterion,
    "job_title": JobTitleCriterion,
    "free_text": FreeTextCriterion,
}

_HEADER = "# Ideal customer profile. See graphs/icp/default_icp.yaml for what each field means.\n"


class IcpFileError(ValueError):
    """The ICP file cannot be used; the message says where and how to fix it."""


# -- locations ---------------------------------------------------------------------------


def _clean_loc(loc: Loc) -> Loc:
    """Drop the union tag pydantic puts after a criterion index: (criteria, 2, employees, min)."""
    if len(loc) >= 3 and loc[0] == "criteria" and isinstance(loc[1], int) and loc[2] in _KINDS:
        return (*loc[:2], *loc[3:])
    return loc


# -- messages ----------------------------------------------------------------------------


def _allowed_fields(loc: Loc, data: Any) -> list[str]:
    if len(loc) >= 2 and loc[0] == "criteria" and isinstance(loc[1], int):
        try:
            kind = data["criteria"][loc[1]]["kind"]
        except (KeyError, IndexError, TypeError):
            kind = None
        model = _KINDS.get(kind) if isinstance(kind, str) else None
        if model is not None and len(loc) == 3:
            return list(model.model_fields)
    if len(loc) == 2 and loc[0] == "fit_rule":
        return list(FitRule.model_fields)
    if len(loc) == 1:
        return list(IcpProfile.model_fields)
    return []


def _fix(error: dict[str, Any], loc: Loc, data: Any) -> str:
    kinds = ", ".join(_KINDS)
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "union_tag_invalid":
        return f"set kind to one of: {kinds}"
    if kind == "union_tag_not_found":
        return f"add a `kind:` line to this criterion, one of: {kinds}"
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc, data)
        hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return f"remove `{loc[-1]}` or correct its spelling{hint}"
    if kind == "missing":
        return f"add `{loc[-1]}`"
    bounds = {"ge": "of at least", "gt": "greater than", "le": "of at most", "lt": "less than"}
    for key, words in bounds.items():
        if key in ctx:
            return f"use a number {words} {ctx[key]}"
    if kind in {"int_parsing", "float_parsing", "int_from_float"}:
        return "write a plain number, without separators or units (e.g. 20000000)"
    if kind in {"too_short", "list_type"}:
        return "give a list with at least one item, e.g. [Manufacturing, Retail]"
    if kind == "enum":
        return f"use one of: {ctx.get('expected', '')}"
    if kind == "value_error":
        text = str(ctx.get("error", ""))
        if "greater than max" in text:
            return "make min the lower bound and max the upper one"
        if "share the id" in text:
            return "give each criterion its own `id:`"
        return "set the values the message asks for"
    return "correct the value"


def _message(error: dict[str, Any], data: Any, root: yaml.Node | None) -> str:
    loc = _clean_loc(tuple(error["loc"]))
    msg = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "union_tag_invalid":
        msg = f"unknown kind {(error.get('ctx') or {}).get('tag')!r}"
    elif error["type"] == "union_tag_not_found":
        msg = "the criterion has no kind"
    line = line_of(root, loc)
    where = f" (line {line})" if line else ""
    return f"{path_text(loc)}: {msg}{where}. Fix: {_fix(error, loc, data)}."


def _place_problems(profile: IcpProfile) -> list[tuple[Loc, str, str]]:
    """Regions, countries and departments the rules would silently never match."""
    problems: list[tuple[Loc, str, str]] = []
    for i, criterion in enumerate(profile.criteria):
        if isinstance(criterion, GeographyCriterion):
            for j, region in enumerate(criterion.regions):
                if region_key(region) is None:
                    problems.append(
                        (
                            ("criteria", i, "regions", j),
                            f"unknown region {region!r}",
                            f"use one of: {', '.join(REGIONS)}",
                        )
                    )
            for j, country in enumerate(criterion.countries):
                if country_key(country) is None:
                    problems.append(
                        (
                            ("criteria", i, "countries", j),
                            f"unknown country {country!r}",
                            "write the English name (e.g. Germany) or the ISO code (e.g. DE)",
                        )
                    )
        if isinstance(criterion, JobTitleCriterion):
            for j, department in enumerate(criterion.departments):
                if department_key(department) is None:
                    problems.append(
                        (
                            ("criteria", i, "departments", j),
                            f"unknown department {department!r}",
                            f"use one of: {', '.join(DEPARTMENTS)}",
                        )
                    )
    return problems


# -- public API --------------------------------------------------------------------------


def parse_icp_yaml(text: str, source: str = "<ICP text>") -> IcpProfile:
    """Parse and validate ICP YAML; `source` names the file in error messages."""
    data, root = load_settings_yaml(text, what="ICP file", source=source, error=IcpFileError)
    if data is None:
        raise IcpFileError(
            f"ICP file {source} is empty. Fix: add `criteria:` with at least one criterion "
            f"(start from {DEFAULT_ICP_PATH})."
        )
    if not isinstance(data, dict):
        raise IcpFileError(
            f"ICP file {source}: the top level must be a mapping with `name`, `criteria` and "
            f"`fit_rule`, not a {type(data).__name__}. Fix: start from {DEFAULT_ICP_PATH}."
        )
    try:
        profile = IcpProfile.model_validate(data)
    except ValidationError as exc:
        details = "\n".join(f"  - {_message(e, data, root)}" for e in exc.errors())
        raise IcpFileError(f"ICP file {source} is invalid:\n{details}") from exc
    problems = _place_problems(profile)
    if problems:
        details = describe_problems(problems, root)
        raise IcpFileError(f"ICP file {source} is invalid:\n{details}")
    return profile


def load_icp_file(path: Path) -> IcpProfile:
    """Load the admin's ICP YAML file; raise IcpFileError saying where and how to fix it."""
    text = read_settings_file(path, what="ICP file", error=IcpFileError, example=DEFAULT_ICP_PATH)
    return parse_icp_yaml(text, source=str(path))


def dump_icp(profile: IcpProfile) -> str:
    """The profile as YAML that `load_icp_file` reads back to an equal profile."""
    data = profile.model_dump(mode="json", exclude_none=True)
    # kind and id first: that is how an admin scans a criterion.
    first = ("kind", "id", "label", "importance")
    data["criteria"] = [
        {**{k: c[k] for k in first if k in c}, **{k: v for k, v in c.items() if k not in first}}
        for c in data["criteria"]
    ]
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return _HEADER + body


def save_icp_file(profile: IcpProfile, path: Path) -> None:
    """Write the profile to `path` as YAML."""
    Path(path).write_text(dump_icp(profile), encoding="utf-8")


@lru_cache(maxsize=1)
def _default_icp_cached() -> IcpProfile:
    return load_icp_file(DEFAULT_ICP_PATH)


def default_icp() -> IcpProfile:
    """The shipped default ICP (a fresh copy each call: callers may edit it)."""
    return _default_icp_cached().model_copy(deep=True)
