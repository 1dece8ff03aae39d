"""One shell for every command: one error tree, one mapping to exit codes, one line on stderr; a
module that fails to import is an error, not a command that vanishes."""

from __future__ import annotations

import sys

import pytest

from viewer import cli, errors
from viewer.export import BudgetError, ExportError
from viewer.report import ReportError


@pytest.mark.parametrize("argv, prefix", [
    (["ci", "--baseline", "/nonexistent/a", "--candidate", "/nonexistent/b", "-o", "OUT"],
     "mediaboard ci: --baseline '/nonexistent/a'"),
    (["export", "/nonexistent/runs", "--single-file", "x.html", "--budget", "lots"],
     "mediaboard export: --budget: expected a size"),
    (["report", "/nonexistent/r.md", "-o", "OUT"], "mediaboard report: report: expected a Markdown file"),
    (["build", "/nonexistent/runs", "-o", "OUT"], "mediaboard build: "),
])
def test_every_command_fails_with_one_line_and_exit_2(argv, prefix, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(prefix), err
    assert "Traceback" not in err[0]


def test_usage_errors_of_each_command_main_are_one_line(capsys):
    from viewer import ci, export, report

    for name, main in (("ci", ci.main), ("export", export.main), ("report", report.main)):
        assert main(["--no-such-flag"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"mediaboard {name}: "), err


def test_exit_codes_come_from_one_tree():
    assert errors.exit_code(BudgetError("too big")) == 1
    assert errors.exit_code(ExportError("bad")) == 2
    assert errors.exit_code(ReportError("bad", "r.md", 3)) == 2
    assert errors.exit_code(ValueError("x")) == 2
    assert errors.exit_code(KeyboardInterrupt()) == 130
    assert issubclass(ReportError, errors.UsageError) and issubclass(BudgetError, errors.VerdictError)
    # a located error reads like a compiler's; others name the command
    assert errors.message("report", ReportError("bad", "r.md", 3)) == "r.md:3: bad"
    assert errors.message("ci", OSError("disk")) == "mediaboard ci: OSError: disk"


def test_debug_shows_the_traceback():
    with pytest.raises(ExportError):
        errors.run_command("export", lambda: (_ for _ in ()).throw(ExportError("x")), debug=True)


def test_a_command_module_that_fails_to_import_is_an_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "viewer.export", None)  # import raises ImportError
    with pytest.raises(ImportError):
        cli.make_parser()
