"""The site build, without a browser: files, references, escaping, incrementality, boundaries."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

import media
from viewer.build import CHUNK, build_site, site_digest
from viewer.cli import main

VIEWER = Path(__file__).resolve().parents[2] / "viewer"
XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def make_run(root: Path, name: str = "r", steps: int = 5, **kw) -> str:
    run = media.init(project="proj", dir=str(root), name=name, **kw)
    for s in range(steps):
        media.log({"loss": 1 / (s + 1), "acc": s / steps, "text": f"step {s}",
                   "img": media.Image(np.full((4, 6), s * 10, np.uint8), caption=f"c{s}")})
    media.finish()
    return run.dir


def test_build_writes_index_data_and_links_media(tmp_path):
    run_dir = make_run(tmp_path / "runs")
    stats = build_site([tmp_path / "runs"], tmp_path / "site")
    site = tmp_path / "site"
    assert stats.runs == 1 and stats.index_html == site / "index.html"
    key = "proj." + Path(run_dir).name
    for rel in ("index.html", "data/index.js", f"data/{key}/run.js", f"data/{key}/scalars.js",
                f"data/{key}/k/img/0.js", f"data/{key}/k/text/0.js", "static/app.js"):
        assert (site / rel).is_file(), rel
    linked = site / "files" / key / "media" / "img" / "3_0.png"
    assert linked.read_bytes() == (Path(run_dir) / "media" / "img" / "3_0.png").read_bytes()
    assert list((site / "vendor").glob("plotly-*.min.js")), "plotly.js copied from the package"
    shard = (site / f"data/{key}/k/img/0.js").read_text()
    entries = json.loads(re.match(r"MB\.data\.shard\(.*?,.*?,0,(.*)\);\n$", shard, re.S).group(1))
    assert [e["step"] for e in entries] == [0, 1, 2, 3, 4]
    assert entries[2]["stub"]["caption"] == "c2"


def test_every_referenced_site_file_exists_and_nothing_is_remote(tmp_path):
    make_run(tmp_path / "runs")
    build_site([tmp_path / "runs"], tmp_path / "site")
    site = tmp_path / "site"
    html = (site / "index.html").read_text()
    refs = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert refs
    for ref in refs:
        assert (site / ref).is_file(), ref
    vendor = json.loads(re.search(r'data-vendor="([^"]*)"', html).group(1).replace("&#34;", '"'))
    for files in vendor.values():
        for f in files:
            assert (site / f).is_file(), f
    ours = [p for p in site.rglob("*") if p.is_file() and "vendor" not in p.parts
            and p.suffix in (".html", ".js", ".css")]
    for p in ours:
        text = p.read_text()
        assert not re.search(r"https?://(?!www\.w3\.org/)", text), f"remote URL in {p}"


def test_many_steps_are_chunked(tmp_path):
    run = media.init(project="p", dir=str(tmp_path / "runs"))
    for s in range(CHUNK * 2 + 3):
        media.log({"t": f"s{s}"})
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    key = "p." + run.id
    assert sorted(p.name for p in (tmp_path / "site" / "data" / key / "k" / "t").iterdir()) == ["0.js", "1.js", "2.js"]


def test_rebuild_changes_nothing_when_runs_did_not_change(tmp_path):
    make_run(tmp_path / "runs")
    build_site([tmp_path / "runs"], tmp_path / "site")
    before = site_digest(tmp_path / "site")
    stats = build_site([tmp_path / "runs"], tmp_path / "site")
    assert stats.runs_rebuilt == 0 and stats.written == 0
    assert site_digest(tmp_path / "site") == before


def test_rebuild_picks_up_a_growing_run(tmp_path):
    run = media.init(project="p", dir=str(tmp_path / "runs"), id="grow")
    media.log({"loss": 1.0})
    build_site([tmp_path / "runs"], tmp_path / "site")
    media.log({"loss": 0.5})
    media.finish()
    stats = build_site([tmp_path / "runs"], tmp_path / "site")
    assert stats.runs_rebuilt == 1
    scalars = (tmp_path / "site" / "data" / "p.grow" / "scalars.js").read_text()
    assert '"loss":[1.0,0.5]' in scalars
    assert run.id == "grow"


def test_user_strings_are_escaped_in_the_page(tmp_path):
    make_run(tmp_path / "runs", name=XSS, config={XSS: XSS}, notes=XSS)
    build_site([tmp_path / "runs"], tmp_path / "site")
    html = (tmp_path / "site" / "index.html").read_text()
    assert "<script>window.__pwned" not in html
    data = (tmp_path / "site" / "data" / "index.js").read_text()
    assert "</script" not in data  # JSON in script files never closes a script element


def test_missing_media_file_is_reported_not_fatal(tmp_path):
    run_dir = make_run(tmp_path / "runs")
    (Path(run_dir) / "media" / "img" / "2_0.png").unlink()
    build_site([tmp_path / "runs"], tmp_path / "site")
    key = "proj." + Path(run_dir).name
    shard = (tmp_path / "site" / f"data/{key}/k/img/0.js").read_text()
    assert '"__missing":["media/img/2_0.png"]' in shard


def test_viewer_imports_only_the_format_module_from_media():
    for path in VIEWER.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "media":
                names = [a.name for a in node.names]
                assert node.module == "media.runfolder" or (node.module == "media" and names == ["runfolder"]), \
                    f"{path.name} imports {node.module}.{names}"
            if isinstance(node, ast.Import):
                for a in node.names:
                    assert a.name.split(".")[0] != "media" or a.name == "media.runfolder", \
                        f"{path.name} imports {a.name}"


def test_cli_build_and_errors(tmp_path, capsys):
    make_run(tmp_path / "runs")
    assert main(["build", str(tmp_path / "runs"), "-o", str(tmp_path / "s"), "-q"]) == 0
    out = capsys.readouterr()
    assert out.out.strip().endswith("index.html")
    assert main(["build", str(tmp_path / "nope"), "-o", str(tmp_path / "s2")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]


def test_cli_default_root_and_watch_rounds(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDIABOARD_DIR", str(tmp_path / "runs"))
    make_run(tmp_path / "runs")
    assert main(["watch", "-o", str(tmp_path / "w"), "--interval", "0", "--rounds", "2"]) == 0
    assert (tmp_path / "w" / "index.html").is_file()


def test_python_dash_m_viewer(tmp_path):
    import subprocess
    import sys

    make_run(tmp_path / "runs")
    res = subprocess.run([sys.executable, "-m", "viewer", "build", str(tmp_path / "runs"), "-o",
                          str(tmp_path / "s"), "-q"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "s" / "index.html").is_file()


@pytest.mark.parametrize("bad", ["torn"])
def test_torn_history_is_a_visible_problem(tmp_path, bad):
    run_dir = make_run(tmp_path / "runs")
    with open(Path(run_dir) / "history.jsonl", "a") as f:
        f.write('{"_step": 9, "loss"')
    stats = build_site([tmp_path / "runs"], tmp_path / "site")
    assert any("torn" in p for p in stats.problems)
