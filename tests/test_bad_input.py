"""The bad-input catalogue: every case gets a clear answer, and no row is ever lost."""

import builtins
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from riskclf.cli import app
from riskclf.config import MAX_TEXT_CHARS
from riskclf.errors import InputError
from riskclf.io import TableWriter

runner = CliRunner()


def predict(folder, *args):
    return runner.invoke(app, ["predict", "--model", str(folder), *map(str, args)])


def scored_rows(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_unbalanced_quotes(trained, tmp_path):
    bad = tmp_path / "q.csv"
    bad.write_text('id,text\n1,"never closed\n2,fine\n')
    done = predict(trained[1], bad)
    assert done.exit_code == 1 and "not a well-formed CSV" in done.output
    assert "unbalanced quotes" in done.output


def test_ragged_rows(trained, tmp_path):
    bad = tmp_path / "r.csv"
    bad.write_text("id,text\n1,fine\n2,extra,field,here\n")
    done = predict(trained[1], bad)
    assert done.exit_code == 1 and "extra fields" in done.output


def test_bom_latin1_mixed_and_nul_rows_are_kept(trained, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "\ufeffid,text\n".encode()
        + b"a,plain ascii report\n"
        + "b,caf\u00e9 in Dhaka\n".encode()
        + b"c,caf\xe9 latin-1 byte\n"
        + b"d,nul\x00byte in text\n"
    )
    out = tmp_path / "out.csv"
    done = predict(trained[1], path, "--out", out)
    assert done.exit_code == 0, done.output
    rows = scored_rows(out)
    assert rows["id"].tolist() == ["a", "b", "c", "d"]  # BOM stripped from the header
    assert rows["error"].tolist() == ["", "", "text is not valid UTF-8", ""]
    assert "4 rows in, 3 scored, 1 with errors" in done.output
    assert "1 text is not valid UTF-8" in done.output


def test_strict_exits_1_when_rows_fail(trained, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text\na,fine\nb,\n")
    assert predict(trained[1], path, "--out", tmp_path / "o.csv").exit_code == 0
    done = predict(trained[1], path, "--out", tmp_path / "o2.csv", "--strict", "--quiet")
    assert done.exit_code == 1 and (tmp_path / "o2.csv").exists()
    # It says why, even with --quiet.
    assert done.output.strip() == (
        "error: --strict: 1 row could not be scored (the 'error' column of the output says why)"
    )


def test_huge_article_is_truncated_and_flagged(trained, tmp_path):
    path = tmp_path / "big.csv"
    pd.DataFrame({"id": ["big"], "text": ["rebels ambushed a patrol " * 800_000]}).to_csv(
        path, index=False
    )
    assert path.stat().st_size > 20_000_000
    out = tmp_path / "out.csv"
    done = predict(trained[1], path, "--out", out)
    assert done.exit_code == 0, done.output
    row = scored_rows(out).iloc[0]
    assert row["truncated"] == "True" and row["error"] == "" and row["risk_level"] != ""
    assert "1 text truncated" in done.output and "1 texts" not in done.output
    assert MAX_TEXT_CHARS < 20_000_000


def test_zero_byte_and_header_only(trained, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    done = predict(trained[1], empty)
    assert done.exit_code == 1 and "is empty" in done.output
    header = tmp_path / "header.csv"
    header.write_text("id,text\n")
    out = tmp_path / "out.csv"
    done = predict(trained[1], header, "--out", out)
    assert done.exit_code == 0 and "0 rows in" in done.output
    assert out.exists()


def test_duplicate_and_missing_ids(trained, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("id,text\na,one\na,two\n,three\n")
    out = tmp_path / "out.csv"
    done = predict(trained[1], path, "--out", out)
    assert done.exit_code == 0
    assert scored_rows(out)["id"].tolist() == ["a", "a", "row-3"]
    assert "1 row repeats an earlier id" in done.output
    no_id = tmp_path / "noid.csv"
    no_id.write_text("text\none\ntwo\n")
    out2 = tmp_path / "out2.csv"
    predict(trained[1], no_id, "--out", out2)
    assert scored_rows(out2)["id"].tolist() == ["row-1", "row-2"]


def test_jsonl_broken_line_keeps_its_row(trained, tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": "a", "text": "one"}\n{"id": "b", "text": \n{"id": "c", "text": 7}\n')
    out = tmp_path / "out.csv"
    done = predict(trained[1], path, "--out", out)
    assert done.exit_code == 0, done.output
    rows = scored_rows(out)
    assert rows["id"].tolist() == ["a", "row-2", "c"]
    assert rows["error"][1].startswith("line 2 is not valid JSON")
    assert rows["error"][2] == "text is not a string"  # a number is not text


def test_parquet_with_wrong_column_types(trained, tmp_path):
    path = tmp_path / "t.parquet"
    table = pa.table({"id": [1, 2, 3], "text": [["a", "list"], None, ["x"]]})
    pq.write_table(table, path)
    out = tmp_path / "out.csv"
    done = predict(trained[1], path, "--out", out)
    assert done.exit_code == 0, done.output
    rows = scored_rows(out)
    assert rows["id"].tolist() == ["1", "2", "3"]
    assert rows["error"].tolist() == ["text is not a string", "empty text", "text is not a string"]


def test_folder_with_binary_files_and_a_symlink_loop(trained, tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text("police arrested four suspects")
    (folder / "binary.txt").write_bytes(bytes(range(256)))
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    os.symlink(folder, folder / "sub" / "loop")
    out = tmp_path / "out.csv"
    done = predict(trained[1], folder, "--out", out)
    assert done.exit_code == 0, done.output
    rows = scored_rows(out)
    assert rows["id"].tolist() == ["binary.txt", "good.txt"]  # the file path, as documented
    assert rows["error"].tolist() == ["text is not valid UTF-8", ""]


def test_output_folder_missing_or_not_writable(trained, tiny_csv, tmp_path, monkeypatch):
    done = predict(trained[1], tiny_csv, "--out", tmp_path / "no" / "out.csv")
    assert done.exit_code == 1 and "output folder does not exist" in done.output
    # Root ignores file modes, so simulate a read-only folder at the permission check.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(InputError, match="permission denied"):
        TableWriter(tmp_path / "out.csv", "csv")


def test_interrupt_leaves_no_file_at_the_out_path(trained, tmp_path):
    # enough rows that scoring is still going when the signal comes, even on a loaded machine
    # (60,000 short rows were once all scored before it arrived)
    rows = 200_000
    path = tmp_path / "many.csv"
    pd.DataFrame(
        {"id": range(rows), "text": ["rebels ambushed a patrol near Zedtown"] * rows}
    ).to_csv(path, index=False)
    out = tmp_path / "scored.csv"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "riskclf",
            "predict",
            str(path),
            "--model",
            str(trained[1]),
            "--out",
            str(out),
            "--chunk-rows",
            "200",
            "--jobs",
            "1",
            "--quiet",
        ],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".scored.csv.*.partial")):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "scoring never started writing"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert not out.exists()
    assert not list(tmp_path.glob(".scored.csv.*"))


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "tsv"])
def test_unreadable_input_is_one_line(trained, tmp_path, monkeypatch, suffix):
    path = tmp_path / f"locked.{suffix}"
    path.write_text('{"id": "a", "text": "x"}\n' if suffix == "jsonl" else "id,text\na,x\n")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make open() refuse as it would for a user
        real_open = builtins.open

        def refuse(file, *args, **kwargs):
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refuse)
    done = predict(trained[1], path, "--out", tmp_path / "out.csv")
    assert done.exit_code == 1
    assert done.output == f"error: cannot read {path}: Permission denied\n"
    assert not (tmp_path / "out.csv").exists()


def test_numbers_and_booleans_in_the_text_column_are_row_errors(trained, tmp_path):
    path = tmp_path / "numbers.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": [1, 2]}), path)
    flags = tmp_path / "flags.parquet"
    pq.write_table(pa.table({"id": ["c"], "text": [True]}), flags)
    out = tmp_path / "out.csv"
    done = predict(trained[1], path, flags, "--out", out)
    assert done.exit_code == 0, done.output
    rows = scored_rows(out)
    assert rows["error"].tolist() == ["text is not a string"] * 3
    assert rows["risk_level"].tolist() == ["", "", ""]
    assert "3 rows in, 0 scored, 3 with errors" in done.output


def test_symlink_loop_is_named_not_missing(trained, tmp_path):
    loop = tmp_path / "loop.csv"
    os.symlink(loop, loop)
    done = predict(trained[1], loop)
    assert done.exit_code == 2
    assert "symbolic link loop" in done.output and "not found" not in done.output
    done = runner.invoke(app, ["train", str(loop), "--out", str(tmp_path / "m")])
    assert done.exit_code == 2 and "symbolic link loop" in done.output


def test_jsonl_on_stdin_without_input_format(trained, tmp_path):
    lines = '{"id": "a", "text": "police arrested four suspects"}\n{"id": "b", "text": ""}\n'
    out = tmp_path / "out.csv"
    done = runner.invoke(
        app, ["predict", "-", "--model", str(trained[1]), "--out", str(out)], input=lines
    )
    assert done.exit_code == 0, done.output
    rows = scored_rows(out)
    assert rows["id"].tolist() == ["a", "b"]
    assert rows["error"].tolist() == ["", "empty text"]


def test_format_that_contradicts_the_out_suffix_is_refused(trained, tiny_csv, tmp_path):
    out = tmp_path / "x.parquet"
    done = predict(trained[1], tiny_csv, "--out", out, "--format", "csv")
    assert done.exit_code == 2
    assert "--format csv does not match the .parquet suffix of x.parquet" in done.output
    assert not out.exists()
