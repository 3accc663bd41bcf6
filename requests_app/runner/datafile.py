"""Data files for data-driven runs: each row's fields are the variables of one iteration.

Usage::

    rows = parse_data_file(text_or_bytes, "csv")    # or "json"
    # [{"user": "ann", "id": "1"}, {"user": "bob", "id": "2"}]
    guess_format("users.csv")                      # "csv", "json" or None

CSV needs a header row; JSON must be an array of objects. Values become text:
JSON strings as they are, null as "", other values as compact JSON (42, true).
Anything else is a DataFileError with a `code`, a message for the user and, where
it applies, the `line` and `column` (1-based) or the `row` (1-based, data rows).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from requests_app.runner.captures import as_variable_text

DATA_FORMATS = ("csv", "json")
MAX_DATA_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 200

UNKNOWN_FORMAT = "unknown_format"
TOO_LARGE = "too_large"
BAD_ENCODING = "bad_encoding"
EMPTY = "empty"
TOO_MANY_ROWS = "too_many_rows"
TOO_MANY_COLUMNS = "too_many_columns"
BAD_JSON = "bad_json"
TOO_DEEP = "too_deep"
NOT_AN_ARRAY = "not_an_array"
ROW_NOT_OBJECT = "row_not_object"
CSV_MALFORMED = "csv_malformed"
CSV_BAD_HEADER = "csv_bad_header"
CSV_ROW_LENGTH = "csv_row_length"


class DataFileError(ValueError):
    def __init__(
        self, code: str, message: str, *, line: int | None = None, column: int | None = None, row: int | None = None
    ) -> None:
        where = []
        if line is not None:
            where.append(f"line {line}" + (f", column {column}" if column is not None else ""))
        if row is not None:
            where.append(f"row {row}")
        super().__init__(f"{message} ({'; '.join(where)})" if where else message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.row = row

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self), "line": self.line, "column": self.column, "row": self.row}


def guess_format(filename: str) -> str | None:
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith(".json"):
        return "json"
    return None


def _decode(content: str | bytes) -> str:
    if isinstance(content, str):
        if len(content) > MAX_DATA_BYTES:
            raise DataFileError(TOO_LARGE, f"the data file is larger than {MAX_DATA_BYTES // (1024 * 1024)} MiB")
        return content.removeprefix("\ufeff")
    if len(content) > MAX_DATA_BYTES:
        raise DataFileError(TOO_LARGE, f"the data file is larger than {MAX_DATA_BYTES // (1024 * 1024)} MiB")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = content[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise DataFileError(BAD_ENCODING, "the data file is not UTF-8 text", line=line, column=column) from None


def _parse_json(text: str) -> list[dict[str, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(BAD_JSON, f"the data file is not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise DataFileError(TOO_DEEP, "the data file nests too deeply") from None
    except ValueError as exc:  # e.g. an integer with more than 4300 digits
        raise DataFileError(BAD_JSON, f"the data file is not valid JSON: {exc}") from None
    if not isinstance(data, list):
        raise DataFileError(NOT_AN_ARRAY, "a JSON data file must be an array of objects, e.g. [{\"user\": \"ann\"}]")
    if not data:
        raise DataFileError(EMPTY, "the data file has no rows")
    if len(data) > MAX_ROWS:
        raise DataFileError(TOO_MANY_ROWS, f"the data file has more than {MAX_ROWS} rows")
    rows = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise DataFileError(ROW_NOT_OBJECT, "each row must be an object of variable names and values", row=number)
        if len(item) > MAX_COLUMNS:
            raise DataFileError(TOO_MANY_COLUMNS, f"a row has more than {MAX_COLUMNS} fields", row=number)
        rows.append({key: "" if value is None else as_variable_text(value) for key, value in item.items()})
    return rows


def _parse_csv(text: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    try:
        for record in reader:
            if not record or record == [""]:
                continue  # blank lines carry no row
            if header is None:
                header = [name.strip() for name in record]
                if len(header) > MAX_COLUMNS:
                    raise DataFileError(TOO_MANY_COLUMNS, f"more than {MAX_COLUMNS} columns", line=reader.line_num)
                for position, name in enumerate(header, start=1):
                    if not name:
                        raise DataFileError(
                            CSV_BAD_HEADER, "every column in the header row needs a name", line=reader.line_num, column=position
                        )
                    if header.index(name) != position - 1:
                        raise DataFileError(
                            CSV_BAD_HEADER, f"the column {name!r} appears twice in the header row", line=reader.line_num, column=position
                        )
                continue
            if len(record) != len(header):
                raise DataFileError(
                    CSV_ROW_LENGTH,
                    f"this row has {len(record)} fields; the header row has {len(header)}",
                    line=reader.line_num,
                    row=len(rows) + 1,
                )
            if len(rows) >= MAX_ROWS:
                raise DataFileError(TOO_MANY_ROWS, f"the data file has more than {MAX_ROWS} rows", line=reader.line_num)
            rows.append(dict(zip(header, record)))
    except csv.Error as exc:
        raise DataFileError(CSV_MALFORMED, f"the CSV is malformed: {exc}", line=reader.line_num) from None
    if header is None:
        raise DataFileError(EMPTY, "the data file is empty; a CSV needs a header row naming the variables")
    if not rows:
        raise DataFileError(EMPTY, "the data file has a header row but no data rows")
    return rows


def parse_data_file(content: str | bytes, data_format: str) -> list[dict[str, str]]:
    """Rows of variables, one per iteration; raises DataFileError naming what and where."""
    if data_format not in DATA_FORMATS:
        raise DataFileError(UNKNOWN_FORMAT, f"the data format must be one of {', '.join(DATA_FORMATS)}")
    text = _decode(content)
    if not text.strip():
        raise DataFileError(EMPTY, "the data file is empty")
    return _parse_json(text) if data_format == "json" else _parse_csv(text)
