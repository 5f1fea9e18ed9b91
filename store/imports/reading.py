"""Reading a CRM export as a stream of rows: the header's columns mapped to fields.

The file is never held whole: rows are read one at a time, so a 100k-row export takes the
memory of one batch. Headers are matched by letters and digits only, against each field's
known export names and the user's `--map FIELD=COLUMN`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from store.imports.cells import header_key
from store.imports.report import CsvImportError, ImportReport, RowError

M = TypeVar("M", bound=BaseModel)
Aliases = dict[str, tuple[str, ...]]


def with_mapping(aliases: Aliases, mapping: dict[str, str]) -> Aliases:
    """The known headers plus the user's `--map FIELD=COLUMN` choices (which win)."""
    unknown = sorted(set(mapping) - set(aliases))
    if unknown:
        raise CsvImportError(
            f"--map names unknown fields {', '.join(unknown)}; map one of {', '.join(aliases)}"
        )
    chosen = {header_key(column) for column in mapping.values()}
    merged = {
        field: tuple(a for a in names if header_key(a) not in chosen)
        for field, names in aliases.items()
    }
    for field, column in mapping.items():
        merged[field] = (*merged[field], column)
    return merged


def column_map(
    headers: list[str], aliases: Aliases, path: Path
) -> tuple[dict[int, str], list[str]]:
    """Column index -> field name, and the headers nobody knows."""
    lookup = {header_key(name): name for name in aliases}
    for name, others in aliases.items():
        lookup.update({header_key(other): name for other in others})
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        if not header.strip():
            continue
        field = lookup.get(header_key(header))
        if field is None:
            unknown.append(header)
        elif field in seen:
            raise CsvImportError(
                f"{path}: columns {seen[field]!r} and {header!r} both mean {field!r}; "
                "keep one of them"
            )
        else:
            seen[field] = header
            columns[index] = field
    return columns, unknown


class ExportFile:
    """An open CSV export: its header, mapped columns, and its rows one at a time."""

    def __init__(
        self, path: Path, aliases: Aliases, required: tuple[str, ...], report: ImportReport
    ) -> None:
        self.path, self.report = path, report
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                first_line = handle.readline()
        except FileNotFoundError:
            raise CsvImportError(f"{path}: no such file; check the path") from None
        except UnicodeDecodeError:
            raise CsvImportError(
                f"{path}: not a UTF-8 text file; save it as 'CSV UTF-8 (comma delimited)'"
            ) from None
        if "\x00" in first_line:
            raise CsvImportError(f"{path}: looks like a binary file, not CSV; export it as CSV")
        if not first_line.strip():
            raise CsvImportError(f"{path}: no header row; the first line must name the columns")
        # Spreadsheets in many European locales export with semicolons.
        self.delimiter = max(",;\t", key=first_line.count)
        header = next(csv.reader([first_line], delimiter=self.delimiter), [])
        self.header = [h.strip() for h in header]
        columns, unknown = column_map(self.header, aliases, path)
        if not columns:
            raise CsvImportError(
                f"{path}: no known column in the header {self.header[:6]!r}; name columns like "
                f"{', '.join(list(aliases)[:6])}"
            )
        missing = [field for field in required if field not in columns.values()]
        if missing:
            raise CsvImportError(f"{path}: no {missing[0]!r} column; add one (it is required)")
        if unknown:
            report.warnings.append(
                f"Ignored unknown columns: {', '.join(unknown)}. "
                f"Known columns: {', '.join(aliases)}."
            )
        self.columns = columns
        self.header_of = {field: self.header[index] for index, field in columns.items()}
        report.columns = {self.header[index]: field for index, field in sorted(columns.items())}

    def records(self, *, report: bool = True) -> Iterator[tuple[int, dict[str, str]]]:
        """(spreadsheet row number, field -> raw value) of each non-empty data row, read
        from the file as it goes; rows with more values than the header are reported
        (unless `report` is False: a first pass for the ids) and skipped."""
        width = len(self.header)
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            yield from self._rows(reader, width, report)

    def _runaway_quote(self, values: list[str], width: int) -> dict[str, str] | None:
        """A quote opened in a value and never closed swallows the rows after it into that
        value; say where, instead of storing them as one long cell."""
        for index, value in enumerate(values):
            swallowed = _swallowed_rows(value, self.delimiter, width)
            if swallowed:
                header = self.header[index] if index < len(self.header) else f"column {index + 1}"
                return {
                    "field": header,
                    "message": f"a quote opened in this value is never closed, so the next "
                    f"{swallowed} rows were read into it; close the quote (write a quote "
                    'inside a value as "") and import again',
                }
        return None

    def _rows(self, reader: Any, width: int, report: bool) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            next(reader, None)  # the header
            # Spreadsheet rows count records: a quoted value may span several lines.
            for number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                runaway = self._runaway_quote(values, width)
                if runaway is not None:
                    if report:
                        self.report.errors.append(RowError(row=number, **runaway))
                        self.report.skipped += 1
                    continue
                if len(values) > width and any(v.strip() for v in values[width:]):
                    if not report:
                        continue
                    self.report.errors.append(
                        RowError(
                            row=number,
                            field="(row)",
                            message=f"the row has {len(values)} values but the header has "
                            f"{width} columns; quote values that contain the delimiter",
                        )
                    )
                    self.report.skipped += 1
                    continue
                yield number, {f: values[i] for i, f in self.columns.items() if i < len(values)}
        except csv.Error as exc:
            raise CsvImportError(
                f"{self.path}: not a readable CSV file at line {reader.line_num} ({exc})"
            ) from None
        except UnicodeDecodeError:
            raise CsvImportError(
                f"{self.path}: not UTF-8 after line {reader.line_num}; save it as "
                "'CSV UTF-8 (comma delimited)'"
            ) from None


def _swallowed_rows(value: str, delimiter: str, width: int) -> int:
    """Lines inside one value that look like whole rows of the file."""
    if "\n" not in value or width < 2:
        return 0
    return sum(1 for line in value.split("\n")[1:] if line.count(delimiter) >= width - 1)


def validate_row(
    model: type[M], number: int, record: dict[str, str], header_of: dict[str, str]
) -> tuple[M | None, list[RowError]]:
    """The row as `model`, or its problems named by the file's own column names."""
    try:
        return model.model_validate(record), []
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "(row)"
            if error["type"] == "missing" or error.get("input", "") is None:
                message = f"{field} is required; fill it in"
            else:
                message = str(error["msg"]).removeprefix("Value error, ")
            errors.append(RowError(row=number, field=header_of.get(field, field), message=message))
        return None, errors
