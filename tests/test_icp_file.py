"""The admin's ICP YAML file: the default loads, errors point at the line, dumps round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.icp_profile import (
    FitRule,
    FreeTextCriterion,
    GeographyCriterion,
    IcpProfile,
    Importance,
    IndustryCriterion,
    JobTitleCriterion,
    Seniority,
)
from graphs.icp.profile_file import (
    DEFAULT_ICP_PATH,
    IcpFileError,
    default_icp,
    dump_icp,
    load_icp_file,
    save_icp_file,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "icp.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_file_loads_with_the_documented_criteria() -> None:
    profile = load_icp_file(DEFAULT_ICP_PATH)
    by_id = {c.id: c for c in profile.criteria}
    assert list(by_id) == ["industry", "employees", "geography", "revenue", "job_title", "erp_user"]
    assert by_id["industry"].industries == ["Manufacturing", "Retail", "Logistics", "Wholesale"]
    assert (by_id["employees"].min, by_id["employees"].max) == (200, 10_000)
    assert by_id["geography"].regions == ["North America", "Europe"]
    assert (by_id["revenue"].min, by_id["revenue"].max) == (20_000_000, 2_000_000_000)
    assert by_id["job_title"].seniority == [
        Seniority.C_LEVEL, Seniority.VP, Seniority.DIRECTOR, Seniority.HEAD
    ]  # fmt: skip
    assert by_id["job_title"].departments == [
        "operations",
        "supply_chain",
        "procurement",
        "it",
        "finance",
    ]
    erp = by_id["erp_user"]
    assert isinstance(erp, FreeTextCriterion)
    assert erp.description == "Runs an ERP or warehouse management system"
    assert "WMS" in erp.keywords
    musts = [c.id for c in profile.criteria if c.importance is Importance.MUST_HAVE]
    assert musts == ["industry", "employees", "geography"]
    assert profile.fit_rule == FitRule()


def test_default_icp_returns_independent_copies() -> None:
    first = default_icp()
    first.criteria.clear()
    assert len(default_icp().criteria) == 6


def test_bad_indentation_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "criteria:\n"
        "  - kind: industry\n"
        "    industries: [Manufacturing]\n"
        "   importance: must_have\n",
    )
    with pytest.raises(IcpFileError) as caught:
        load_icp_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert "line 4" in message
    assert "importance: must_have" in message  # the offending line is quoted
    assert "indentation" in message


def test_tab_indentation_is_a_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "criteria:\n\t- kind: industry\n")
    with pytest.raises(IcpFileError, match="line 2"):
        load_icp_file(path)


def test_bad_value_names_the_criterion_path_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "criteria:\n"
        "  - kind: industry\n"
        "    industries: [Manufacturing]\n"
        "  - kind: geography\n"
        "    regions: [Europe]\n"
        "  - kind: employees\n"
        "    min: -5\n",
    )
    with pytest.raises(IcpFileError) as caught:
        load_icp_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert "criteria[2].min: Input should be greater than or equal to 0" in message
    assert "line 7" in message
    assert "Fix:" in message


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("criteria:\n  - kind: size\n    min: 5\n", "criteria[0]: unknown kind 'size'"),
        ("criteria:\n  - industries: [Retail]\n", "criteria[0]: the criterion has no kind"),
        ("criteria:\n  - kind: employees\n    mni: 5\n", "criteria[0].mni"),
        ("criteria:\n  - kind: employees\n    min: 500\n    max: 200\n", "greater than max"),
        ("criteria:\n  - kind: revenue\n    min: 20M\n", "criteria[0].min"),
        ("criteria: []\n", "criteria"),
        ("name: x\n", "criteria: Field required"),
        (
            "criteria:\n  - kind: industry\n    industries: [Retail]\n"
            "fit_rule:\n  exact_min_score: 1.5\n",
            "fit_rule.exact_min_score",
        ),
        ("criteria:\n  - kind: geography\n    regions: [Mars]\n", "unknown region 'Mars'"),
        (
            "criteria:\n  - kind: industry\n    industries: [Retail, Retial]\n",
            "criteria[0].industries[1]: unknown industry 'Retial' (line 3). Fix: did you mean "
            "Retail (ISIC 47)?",
        ),
        ("criteria:\n  - kind: industry\n    industries: [Helthcare]\n", "mean Healthcare"),
        ("criteria:\n  - kind: industry\n    industries: [Qwxz]\n", "ISIC Rev. 4 name"),
        ("criteria:\n  - kind: industry\n    industries: ['99x']\n", "unknown industry"),
        ("criteria:\n  - kind: geography\n    countries: [Atlantis]\n", "criteria[0].countries[0]"),
        ("criteria:\n  - kind: job_title\n    departments: [wizardry]\n", "unknown department"),
        ("criteria:\n  - kind: job_title\n    seniority: [boss]\n", "criteria[0].seniority[0]"),
        ("", "is empty"),
        ("- kind: industry\n", "top level must be a mapping"),
    ],
)
def test_validation_errors_say_where(tmp_path: Path, yaml_text: str, expected: str) -> None:
    path = write(tmp_path, yaml_text)
    with pytest.raises(IcpFileError) as caught:
        load_icp_file(path)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)


def test_unknown_kind_error_lists_the_kinds(tmp_path: Path) -> None:
    path = write(tmp_path, "criteria:\n  - kind: size\n")
    with pytest.raises(IcpFileError) as caught:
        load_icp_file(path)
    for kind in ("industry", "employees", "revenue", "geography", "job_title", "free_text"):
        assert kind in str(caught.value)


def test_missing_file_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(IcpFileError, match="does not exist"):
        load_icp_file(tmp_path / "nope.yaml")


def test_industry_names_synonyms_and_isic_codes_are_accepted(tmp_path: Path) -> None:
    listed = ["Retail", "wholesalers", "3PL", "Versicherungen", "47", "ISIC 862", "Q", "c"]
    path = write(tmp_path, f"criteria:\n  - kind: industry\n    industries: {listed}\n")
    industry = load_icp_file(path).criteria[0]
    assert isinstance(industry, IndustryCriterion) and industry.industries == listed


def test_region_aliases_and_department_spellings_are_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "criteria:\n"
        "  - kind: geography\n"
        "    regions: [NA, EU, Asia-Pacific]\n"
        "    countries: [UK, Deutschland]\n"
        "  - kind: job_title\n"
        "    departments: [Supply Chain, IT]\n",
    )
    profile = load_icp_file(path)
    assert isinstance(profile.criteria[0], GeographyCriterion)


def test_dump_then_load_round_trips(tmp_path: Path) -> None:
    for profile in (
        default_icp(),
        IcpProfile(
            name="Nordic retail",
            criteria=[
                IndustryCriterion(industries=["Retail"], label="Sector"),
                GeographyCriterion(countries=["Sweden"], regions=["Nordics"]),
                JobTitleCriterion(
                    seniority=[Seniority.MANAGER], importance=Importance.NICE_TO_HAVE
                ),
            ],
            fit_rule=FitRule(exact_min_score=0.8, unknown_must_have_blocks_exact=False),
        ),
    ):
        path = tmp_path / "round.yaml"
        save_icp_file(profile, path)
        assert load_icp_file(path) == profile
        assert dump_icp(load_icp_file(path)) == dump_icp(profile)


def test_dump_puts_kind_first_and_reads_as_plain_yaml() -> None:
    text = dump_icp(default_icp())
    assert text.startswith("#")
    assert "- kind: industry\n  id: industry\n" in text
    assert "label: null" not in text
