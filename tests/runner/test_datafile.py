"""Data files: CSV with a header row or a JSON array of objects; malformed ones named with a position."""

from __future__ import annotations

import pytest

from requests_app.runner import datafile as D
from requests_app.runner.datafile import DataFileError, guess_format, parse_data_file


def test_csv_rows_become_variables():
    text = 'user,password,note\nann,pw1,"hello, world"\nbob,pw2,"say ""hi"""\n'
    assert parse_data_file(text, "csv") == [
        {"user": "ann", "password": "pw1", "note": "hello, world"},
        {"user": "bob", "password": "pw2", "note": 'say "hi"'},
    ]


def test_csv_with_bom_crlf_and_blank_lines():
    data = "\ufeffid,name\r\n1,ann\r\n\r\n2,bob\r\n".encode()
    assert parse_data_file(data, "csv") == [{"id": "1", "name": "ann"}, {"id": "2", "name": "bob"}]


def test_csv_quoted_field_may_span_lines():
    assert parse_data_file('a,b\n"x\ny",2\n', "csv") == [{"a": "x\ny", "b": "2"}]


def test_json_rows_become_text_variables():
    text = '[{"user": "ann", "id": 1, "admin": true, "nick": null, "tags": ["x"]}, {"user": "bob"}]'
    assert parse_data_file(text, "json") == [
        {"user": "ann", "id": "1", "admin": "true", "nick": "", "tags": '["x"]'},
        {"user": "bob"},
    ]


@pytest.mark.parametrize(
    ("content", "data_format", "code", "line", "column", "row"),
    [
        ("a,b\n1,2,3\n", "csv", D.CSV_ROW_LENGTH, 2, None, 1),
        ("a,b\n1,2\n3\n", "csv", D.CSV_ROW_LENGTH, 3, None, 2),
        ('a,b\n"unclosed,2\n', "csv", D.CSV_MALFORMED, 2, None, None),
        ('a,b\n1,"x"y\n', "csv", D.CSV_MALFORMED, 2, None, None),
        ("a,,c\n1,2,3\n", "csv", D.CSV_BAD_HEADER, 1, 2, None),
        ("a,b,a\n1,2,3\n", "csv", D.CSV_BAD_HEADER, 1, 3, None),
        ("a,b\n", "csv", D.EMPTY, None, None, None),
        ("   \n", "csv", D.EMPTY, None, None, None),
        ('[{"a": 1},\n {"a": 2,}]', "json", D.BAD_JSON, 2, 10, None),
        ('{"a": 1}', "json", D.NOT_AN_ARRAY, None, None, None),
        ("[]", "json", D.EMPTY, None, None, None),
        ('[{"a": 1}, [1, 2]]', "json", D.ROW_NOT_OBJECT, None, None, 2),
        ("[" * 100_000 + "]" * 100_000, "json", D.TOO_DEEP, None, None, None),
        ("[{\"a\": " + "9" * 5000 + "}]", "json", D.BAD_JSON, None, None, None),
        (b"a,b\n1,\xff\n", "csv", D.BAD_ENCODING, 2, 3, None),
        ("a\n1\n", "xml", D.UNKNOWN_FORMAT, None, None, None),
    ],
)
def test_malformed_data_gets_a_named_error_with_its_position(content, data_format, code, line, column, row):
    with pytest.raises(DataFileError) as caught:
        parse_data_file(content, data_format)
    error = caught.value
    assert (error.code, error.line, error.column, error.row) == (code, line, column, row)
    if line is not None:
        assert f"line {line}" in str(error)


def test_too_large_data_file_is_refused():
    with pytest.raises(DataFileError) as caught:
        parse_data_file(b"a\n" + b"1\n" * (D.MAX_DATA_BYTES // 2), "csv")
    assert caught.value.code == D.TOO_LARGE


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(D, "MAX_ROWS", 3)
    with pytest.raises(DataFileError) as caught:
        parse_data_file("a\n1\n2\n3\n4\n", "csv")
    assert (caught.value.code, caught.value.line) == (D.TOO_MANY_ROWS, 5)
    with pytest.raises(DataFileError) as caught:
        parse_data_file('[{"a":1},{"a":2},{"a":3},{"a":4}]', "json")
    assert caught.value.code == D.TOO_MANY_ROWS


def test_too_many_columns_are_refused():
    header = ",".join(f"c{i}" for i in range(D.MAX_COLUMNS + 1))
    with pytest.raises(DataFileError) as caught:
        parse_data_file(header + "\n" + ",".join("1" * (D.MAX_COLUMNS + 1)) + "\n", "csv")
    assert caught.value.code == D.TOO_MANY_COLUMNS


def test_error_serialises_for_the_api():
    with pytest.raises(DataFileError) as caught:
        parse_data_file("a,b\n1\n", "csv")
    assert caught.value.to_dict() == {
        "code": "csv_row_length",
        "message": "this row has 1 fields; the header row has 2 (line 2; row 1)",
        "line": 2,
        "column": None,
        "row": 1,
    }


def test_format_is_guessed_from_the_file_name():
    assert guess_format("Users.CSV") == "csv"
    assert guess_format("rows.json") == "json"
    assert guess_format("rows.txt") is None
