"""The README's command examples run against a freshly trained default model, and print output of
the shape the README shows (numbers, labels and terms depend on the model, so they are not pinned).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskclf.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
runner = CliRunner()
# Commands cheap enough to run in the test suite: one article each.
CHEAP = ("predict --text", "predict -t", "explain")


def console_examples(text: str) -> list[tuple[list[str], list[str]]]:
    """(command arguments after 'riskclf', shown output lines) of each ```console block."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        lines = block.rstrip("\n").split("\n")
        assert lines[0].startswith("$ riskclf "), lines[0]
        command = lines[0][2:]
        rest = lines[1:]
        while True:  # a quoted argument may run over several lines
            try:
                args = shlex.split(command)
                break
            except ValueError:
                command += "\n" + rest.pop(0)
        examples.append((args[1:], rest))
    return examples


def bash_commands(text: str) -> list[list[str]]:
    """Arguments after 'riskclf' of the cheap one-line commands in ```bash blocks."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("riskclf ") and any(c in line for c in CHEAP):
                commands.append(shlex.split(line)[1:])
    return commands


def template(line: str) -> str:
    """The structure of one output line: terms, labels and numbers replaced by placeholders."""
    line = re.sub(r"[^,;:\s][^,;:]*? \(([+-])\d+\.\d+\)", r"T\1", line)  # "term (+0.12)"
    line = re.sub(r"\d+(?:\.\d+)?", "#", line)
    line = re.sub(r"^(risk level|theme) \S+ \(p=#\)$", r"\1 L (p=#)", line)  # explain headers
    line = re.sub(r"^(risk level : )\S+", r"\1L", line)
    line = re.sub(r"^(themes +: ).*$", r"\1L", line)
    line = re.sub(r"[a-z_]+ #", "L #", line)  # "low 0.08", "terrorism 0.40"
    return line


def with_model(args: list[str], model: Path) -> list[str]:
    return [args[0], "--model", str(model), *args[1:]]


@pytest.fixture(scope="module")
def default_model(tmp_path_factory) -> Path:
    """The default model, trained as `riskclf train` does (cross-validation skipped: it does not
    change the fitted model)."""
    folder = tmp_path_factory.mktemp("readme") / "default"
    done = runner.invoke(app, ["train", "--out", str(folder), "--cv-folds", "0"])
    assert done.exit_code == 0, done.output
    return folder


def test_the_readme_has_examples_to_check():
    text = README.read_text(encoding="utf-8")
    shown = [args[0] for args, _ in console_examples(text)]
    assert "predict" in shown and "explain" in shown
    assert bash_commands(text)


@pytest.mark.parametrize(
    "example",
    console_examples(README.read_text(encoding="utf-8")),
    ids=lambda e: " ".join(e[0][:2]),
)
def test_console_examples_print_what_the_readme_shows(default_model, example):
    args, shown = example
    done = runner.invoke(app, with_model(args, default_model))
    assert done.exit_code == 0, done.output
    printed = done.stdout.rstrip("\n").split("\n")
    assert [template(line) for line in printed] == [template(line) for line in shown], (
        "the README's example is out of date; the command now prints:\n" + done.stdout
    )


def test_cheap_bash_examples_run(default_model):
    for args in bash_commands(README.read_text(encoding="utf-8")):
        done = runner.invoke(app, with_model(args, default_model))
        assert done.exit_code == 0, (args, done.output)


def test_template_keeps_structure_and_drops_values():
    assert template("top terms  : a b (+0.11); [killed>=1] (+0.09)") == "top terms  : T+; T+"
    assert template("risk level : high  (score 65/100)") == template(
        "risk level : low  (score 3/100)"
    )
    assert template("probability: low 0.08, medium 0.77") == "probability: L #, L #"
    assert template("place      : Pakistan (South Asia)") != template("place      : (none named)")
    assert template("  pushes towards it: x (+1.00)") != template("  pushes against it: x (-1.00)")
