"""The admin's ICP as a YAML file: load with errors that point at the line, dump, default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from core.admin_yaml import (
    AdminYamlFile,
    Loc,
    Problem,
    common_fix,
    dump_admin_yaml,
    located_message,
)
from core.errors import SettingsFileError
from core.geography import REGIONS, country_key, region_key
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
from graphs.icp.industry import industry_suggestions, known_industry
from graphs.icp.title import DEPARTMENTS, department_key

DEFAULT_ICP_PATH = Path(__file__).with_name("default_icp.yaml")
ICP_EXAMPLES_DIR = Path(__file__).with_name("examples")
"""ICPs for the other sample products (fleetline, clinicflow): starting points to edit."""

_KINDS: dict[str, type[BaseModel]] = {
    "industry": IndustryCriterion,
    "employees": EmployeeRangeCriterion,
    "revenue": RevenueRangeCriterion,
    "geography": GeographyCriterion,
    "job_title": JobTitleCriterion,
    "free_text": FreeTextCriterion,
}

_HEADER = "# Ideal customer profile. See graphs/icp/default_icp.yaml for what each field means.\n"


class IcpFileError(SettingsFileError):
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
    shared = common_fix(error, loc, _allowed_fields(loc, data))
    if shared is not None:
        return shared
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
    return located_message(loc, msg, _fix(error, loc, data), root)


def _industry_fix(label: str) -> str:
    suggestions = industry_suggestions(label)
    if not suggestions:
        return (
            "list an ISIC Rev. 4 name (in English, German, French, Spanish or Portuguese, or "
            "a synonym in graphs/icp/isic_rev4.yaml) or code, e.g. Retail or 47"
        )
    return (
        f"did you mean {' or '.join(suggestions)}? Or list another ISIC Rev. 4 name or "
        "code (see graphs/icp/isic_rev4.yaml)"
    )


def _place_problems(profile: IcpProfile) -> list[Problem]:
    """Industries, regions, countries and departments the rules would silently never
    match."""
    problems: list[Problem] = []
    for i, criterion in enumerate(profile.criteria):
        if isinstance(criterion, IndustryCriterion):
            for j, industry in enumerate(criterion.industries):
                if known_industry(industry) is None:
                    problems.append(
                        (
                            ("criteria", i, "industries", j),
                            f"unknown industry {industry!r}",
                            _industry_fix(industry),
                        )
                    )
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


ICP_FILE = AdminYamlFile(
    model=IcpProfile,
    what="ICP file",
    error=IcpFileError,
    example=DEFAULT_ICP_PATH,
    top_level="`name`, `criteria` and `fit_rule`",
    describe_error=_message,
    cross_problems=_place_problems,
    empty_fix="add `criteria:` with at least one criterion",
)


def parse_icp_yaml(text: str, source: str = "<ICP text>") -> IcpProfile:
    """Parse and validate ICP YAML; `source` names the file in error messages."""
    return ICP_FILE.parse(text, source)


def load_icp_file(path: Path) -> IcpProfile:
    """Load the admin's ICP YAML file; raise IcpFileError saying where and how to fix it."""
    return ICP_FILE.load(path)


def dump_icp(profile: IcpProfile) -> str:
    """The profile as YAML that `load_icp_file` reads back to an equal profile."""
    data = profile.model_dump(mode="json", exclude_none=True)
    # kind and id first: that is how an admin scans a criterion.
    first = ("kind", "id", "label", "importance")
    data["criteria"] = [
        {**{k: c[k] for k in first if k in c}, **{k: v for k, v in c.items() if k not in first}}
        for c in data["criteria"]
    ]
    return dump_admin_yaml(data, _HEADER)


def save_icp_file(profile: IcpProfile, path: Path) -> None:
    """Write the profile to `path` as YAML."""
    Path(path).write_text(dump_icp(profile), encoding="utf-8")


def default_icp() -> IcpProfile:
    """The shipped default ICP (a fresh copy each call: callers may edit it)."""
    return ICP_FILE.default()
