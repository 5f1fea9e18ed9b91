"""Property-based tests of what users feed in (issue 13): CSV exports, MIME mail, YAML
settings and prompt templates. Generated inputs, not examples: no crash, and no silent loss
(every CSV row is stored or reported; every mail file is imported or reported)."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from core.admin_yaml import SettingsFileError
from graphs.engage.engage_settings import parse_engage_yaml
from graphs.icp.profile_file import parse_icp_yaml
from graphs.research.agent_settings import parse_settings_yaml
from prompts.registry import PromptError
from prompts.versioning import prompt_names, validate_version
from store.db import get_db_engine
from store.imports import CsvImportError, import_csv
from tools.mail.inbound import import_inbound

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
emails = st.one_of(st.emails(), cells)


@FEW
@given(
    rows=st.lists(st.tuples(cells, cells, emails, cells, cells), min_size=1, max_size=15),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_every_csv_row_is_stored_or_reported(rows: list[tuple[str, ...]], delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["Topic", "Company", "Email", "Do Not Email", "Annual Revenue"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        with Session(get_db_engine(f"sqlite:///{folder}/crm.db")) as session:
            try:
                report = import_csv("leads", session, path, now=NOW)
            except CsvImportError:
                return  # the whole file refused, with a reason: nothing half-stored
        written = sum(1 for row in rows if any(cell.strip() for cell in row))
        # Each non-empty row: new, an update of a row above it (same email), or reported.
        assert report.imported + report.updated + report.skipped == written, report
        assert report.skipped == len({error.row for error in report.errors})


@FEW
@given(
    raw=st.one_of(
        st.binary(max_size=2_000),
        st.builds(
            lambda headers, body: (headers + "\r\n\r\n" + body).encode("utf-8", "replace"),
            st.text(max_size=400),
            st.text(max_size=400),
        ),
    )
)
def test_any_mail_file_is_imported_or_reported_never_a_crash(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reply.eml"
        path.write_bytes(raw)
        report = import_inbound(f"sqlite:///{folder}/crm.db", [path], now=NOW)
    [item] = report.items
    assert item.outcome in ("matched", "unmatched", "duplicate", "unreadable")
    if item.outcome == "unreadable":
        assert item.reason


yaml_texts = st.one_of(
    st.text(max_size=300),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=12), children, max_size=4),
        ),
        max_leaves=12,
    ).map(lambda data: __import__("yaml").safe_dump(data)),
)


@FEW
@given(text=yaml_texts)
def test_settings_files_are_read_or_refused_with_a_reason(text: str) -> None:
    for parse in (parse_settings_yaml, parse_engage_yaml, parse_icp_yaml):
        try:
            parse(text)
        except SettingsFileError as exc:
            assert str(exc).strip()  # a message a person can act on


@FEW
@given(name=st.sampled_from(prompt_names()), text=st.text(max_size=400))
def test_prompt_templates_are_accepted_or_refused_with_a_reason(name: str, text: str) -> None:
    try:
        validate_version(name, text)
    except PromptError as exc:
        assert str(exc).strip()
