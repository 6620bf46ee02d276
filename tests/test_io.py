import builtins
import io
import os
import sys

import pandas as pd
import pytest

from riskclf.errors import InputError, SchemaError
from riskclf.io import TableWriter, detect_format, iter_table, output_format, read_table


def test_detects_formats(tmp_path):
    for name, fmt in [("a.csv", "csv"), ("a.jsonl", "jsonl"), ("a.parquet", "parquet")]:
        (tmp_path / name).write_text("x")
        assert detect_format(tmp_path / name) == fmt
    assert detect_format(tmp_path) == "txtdir"


def test_unknown_suffix_and_missing_path(tmp_path):
    (tmp_path / "a.xlsx").write_text("x")
    with pytest.raises(InputError, match="cannot tell the format of a.xlsx"):
        detect_format(tmp_path / "a.xlsx")
    with pytest.raises(InputError, match="input not found"):
        detect_format(tmp_path / "nope.csv")


def test_csv_is_read_as_strings_in_chunks(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"id": ["007", "008", "009"], "text": ["a", "", "c"]}).to_csv(path, index=False)
    chunks = list(iter_table(path, chunk_rows=2))
    assert [len(c) for c in chunks] == [2, 1]
    assert chunks[0]["id"].tolist() == ["007", "008"]  # no int conversion, no lost zeros
    assert chunks[0]["text"].tolist() == ["a", ""]  # empty stays empty, not NaN


def test_empty_csv_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(SchemaError, match="is empty"):
        read_table(path)


def test_malformed_csv(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('id,text\n1,"fine"\n2,too,many,fields\n')
    with pytest.raises(SchemaError, match="not a well-formed CSV"):
        read_table(path)


def test_utf8_bom_is_stripped(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffid,text\n1,hello\n".encode())
    assert list(read_table(path).columns) == ["id", "text"]


def test_invalid_utf8_survives_as_surrogates(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,text\n1,caf\xe9\n".encode("latin-1"))
    text = read_table(path)["text"].iloc[0]
    with pytest.raises(UnicodeEncodeError):
        text.encode("utf-8")


def test_jsonl_broken_line_is_kept_as_an_error_row(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n{broken\n[1, 2]\n{"id": "d", "text": "y"}\n')
    frame = read_table(path)
    assert len(frame) == 4
    assert frame["error"].iloc[1].startswith("line 2 is not valid JSON")
    assert frame["error"].iloc[2] == "line 3 is not a JSON object"


def test_empty_jsonl(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text("\n\n")
    with pytest.raises(SchemaError, match="is empty"):
        read_table(path)


def test_parquet_round_trip(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"]}).to_parquet(path)
    assert read_table(path)["text"].tolist() == ["x", "y"]


def test_damaged_parquet(tmp_path):
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(SchemaError, match="not a readable Parquet file"):
        read_table(path)


def test_text_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("second")
    (tmp_path / "a.txt").write_text("first")
    (tmp_path / "sub" / "c.txt").write_text("third")
    (tmp_path / "ignored.bin").write_bytes(b"\x00\x01")
    frame = read_table(tmp_path)
    # The id is the file path relative to the folder, as the README says.
    assert frame["id"].tolist() == ["a.txt", "b.txt", "sub/c.txt"]
    assert frame["text"].tolist() == ["first", "second", "third"]


def test_text_folder_without_txt(tmp_path):
    with pytest.raises(SchemaError, match="holds no .txt files"):
        read_table(tmp_path)


def test_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"id,text\n1,hello\n")))
    assert read_table("-")["text"].tolist() == ["hello"]


@pytest.mark.parametrize("buffered", [True, False])
def test_jsonl_on_stdin_is_detected(monkeypatch, buffered):
    data = b'\xef\xbb\xbf\n  {"id": "a", "text": "hello"}\n{"id": "b", "text": "again"}\n'
    raw = io.BytesIO(data)
    stream = io.BufferedReader(raw) if buffered else raw  # a pipe peeks; a BytesIO seeks
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stream))
    assert detect_format("-") == "jsonl"
    assert read_table("-")["id"].tolist() == ["a", "b"]


def test_unreadable_file_is_one_input_error(tmp_path, monkeypatch):
    path = tmp_path / "locked.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n')
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make open() refuse as it would for a user
        real_open = builtins.open

        def refuse(file, *args, **kwargs):
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refuse)
    with pytest.raises(InputError, match=r"^cannot read .*locked.jsonl: Permission denied$"):
        read_table(path)


def test_symlink_loop_is_named(tmp_path):
    loop = tmp_path / "loop.csv"
    os.symlink(loop, loop)
    with pytest.raises(InputError, match="is a symbolic link loop"):
        detect_format(loop)
    with pytest.raises(InputError, match="input not found"):
        detect_format(tmp_path / "missing.csv")


def test_output_format_must_match_the_suffix(tmp_path):
    assert output_format(tmp_path / "x.parquet", None) == "parquet"
    assert output_format(tmp_path / "x.out", "jsonl") == "jsonl"
    with pytest.raises(InputError, match="--format csv does not match the .parquet suffix"):
        output_format(tmp_path / "x.parquet", "csv")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_writer_writes_all_chunks(tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    with TableWriter(path, fmt) as writer:
        writer.write(pd.DataFrame({"id": ["a"], "p": [0.5]}))
        writer.write(pd.DataFrame({"id": ["b"], "p": [0.25]}))
    assert read_table(path)["id"].tolist() == ["a", "b"]
    assert [p.name for p in tmp_path.iterdir()] == [f"out.{fmt}"]


def test_writer_leaves_nothing_on_error(tmp_path):
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), TableWriter(path, "csv") as writer:
        writer.write(pd.DataFrame({"id": ["a"]}))
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_writer_refuses_overwrite_and_missing_folder(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("keep me")
    with pytest.raises(InputError, match="already exists; pass --overwrite"):
        TableWriter(path, "csv")
    with pytest.raises(InputError, match="output folder does not exist"):
        TableWriter(tmp_path / "missing" / "out.csv", "csv")
    assert path.read_text() == "keep me"
