"""viewer/kinds/table.py with JSON cells: `mediaboard ci` compares them by value (key order and
NaN do not make a change; a "path" key in user data is data, not a file), and the build leaves
them as logged."""

from __future__ import annotations

from pathlib import Path

import media
from viewer import ci
from viewer.build import build_site


def run_with(root: Path, name: str, det: list) -> Path:
    run = media.init(project="p", dir=str(root), id=name)
    media.log({"det": media.Table(columns=["id", "pred"], data=[[i, d] for i, d in enumerate(det)])},
              step=0)
    media.finish()
    return Path(run.dir)


def test_ci_compares_json_cells_by_value(tmp_path, capsys):
    nan = float("nan")
    base = run_with(tmp_path / "r", "base", [{"a": 1, "b": [nan]}, {"path": "x.json"}, {"s": 1}])
    cand = run_with(tmp_path / "r", "cand", [{"b": [nan], "a": 1}, {"path": "x.json"}, {"s": 2}])
    code = ci.main(["--baseline", str(base), "--candidate", str(cand), "-o", str(tmp_path / "g"),
                    "--fail-on", "table:det.changed<=0"])
    out = capsys.readouterr().out
    assert code == 1 and "FAIL table:det.changed<=0 (max 1 at step 0)" in out


def test_build_keeps_json_cells_as_logged(tmp_path):
    run_with(tmp_path / "r", "a", [{"path": "media/det/0_0.table.json", "n": 1}])
    build_site([tmp_path / "r"], tmp_path / "site")
    text = "".join(p.read_text() for p in (tmp_path / "site" / "data").rglob("*.js"))
    # the cell's "path" is user data: not inlined, not reported missing
    assert '{"path":"media/det/0_0.table.json","n":1}' in text.replace(" ", "")
    assert "__missing" not in text and text.count('"__inline"') == 1
