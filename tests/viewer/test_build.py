"""The site build, without a browser: files, references, escaping, incrementality, boundaries."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

import media
from tests.conftest import site_shards
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
                f"data/{key}/s/0/0.js", "static/app.js"):
        assert (site / rel).is_file(), rel
    linked = site / "files" / key / "media" / "img" / "3_0.png"
    assert linked.read_bytes() == (Path(run_dir) / "media" / "img" / "3_0.png").read_bytes()
    assert list((site / "vendor").glob("plotly-*.min.js")), "plotly.js copied from the package"
    # img and text are logged at the same steps: one file holds both keys' chunk 0
    assert [(k, c) for _r, k, c, _e in site_shards(site)] == [("img", 0), ("text", 0)]
    assert len(list(site.glob(f"data/{key}/s/*/*.js"))) == 1
    entries = site_shards(site, key="img")[0][3]
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
    assert sorted(p.name for p in (tmp_path / "site" / "data" / key / "s" / "0").iterdir()) == ["0.js", "1.js", "2.js"]
    assert [len(e) for _r, _k, _c, e in site_shards(tmp_path / "site", key="t")] == [CHUNK, CHUNK, 3]


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
    (_r, _k, _c, entries), = site_shards(tmp_path / "site", key="img")
    assert entries[2]["stub"]["__missing"] == ["media/img/2_0.png"]


CONTRACT = ("media.runfolder", "media.stubs", "media.sweepfolder", "media.artifactstore")


#: the writer's own commands on the one `mediaboard` command line (sweep, agent): they call the
#: writer's public names, and nothing of the viewer imports them
WRITER_COMMANDS = ("sweepcmd.py",)


def test_viewer_imports_only_the_format_module_from_media():
    """The viewer's code names only the contract (runfolder, stubs); tests/test_stubs.py checks
    what it loads at run time."""
    for path in VIEWER.rglob("*.py"):
        if path.name in WRITER_COMMANDS:
            assert not any(f"viewer.{path.stem}" in p.read_text() for p in VIEWER.rglob("*.py")
                           if p.name not in ("cli.py", path.name)), f"the viewer imports {path.name}"
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "media":
                names = [a.name for a in node.names]
                assert node.module in CONTRACT or (
                    node.module == "media" and all(f"media.{n}" in CONTRACT for n in names)), \
                    f"{path.name} imports {node.module}.{names}"
            if isinstance(node, ast.Import):
                for a in node.names:
                    assert a.name.split(".")[0] != "media" or a.name in CONTRACT, \
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


# ------------------------------------------------------------------------------------------------
# every kind at once: what the site references exists, media are linked (not re-encoded)
# ------------------------------------------------------------------------------------------------


def _every_kind() -> dict:
    """One value of each media kind that has landed (kinds whose module is missing are left out)."""
    import importlib.util

    rng = np.random.default_rng(0)
    mask = np.zeros((16, 20), np.uint8)
    mask[:, 10:] = 1
    row: dict = {
        "img": media.Image(rng.integers(0, 255, (16, 20, 3), dtype=np.uint8), caption="rgb",
                           masks={"pred": {"mask_data": mask, "class_labels": {0: "bg", 1: "fg"}}},
                           boxes={"det": {"box_data": [{"position": {"minX": 1, "maxX": 5, "minY": 1, "maxY": 5},
                                                        "domain": "pixel", "class_id": 1}],
                                          "class_labels": {1: "fg"}}}),
        "grid": [media.Image(np.full((4, 4), 40 * i, np.uint8)) for i in range(3)],
        "text": "plain <b>text</b>",
    }
    if importlib.util.find_spec("media.histogram"):
        row["hist"] = media.Histogram(rng.normal(size=500))
    if importlib.util.find_spec("media.audio"):
        row["audio"] = media.Audio(np.sin(np.linspace(0, 200, 4000)).astype(np.float32) * 0.3, sample_rate=8000)
    if importlib.util.find_spec("media.video") and importlib.util.find_spec("imageio_ffmpeg"):
        row["video"] = media.Video(rng.integers(0, 255, (4, 3, 16, 16), dtype=np.uint8), fps=4)
    if importlib.util.find_spec("media.table"):
        row["table"] = media.Table(columns=["i", "pic"],
                                   data=[[i, media.Image(np.full((4, 4), i * 50, np.uint8))] for i in range(3)])
    if importlib.util.find_spec("media.object3d"):
        row["cloud"] = media.Object3D(rng.normal(size=(50, 3)))
    if importlib.util.find_spec("media.plotly"):
        import plotly.graph_objects as go

        row["fig"] = go.Figure([go.Scatter(y=[1, 3, 2])])
    if importlib.util.find_spec("media.html"):
        row["page"] = media.Html("<p>hello</p>")
    return row


def _shard_stubs(site: Path):
    """Yield (run key, stub) for every entry of every media shard in the site."""
    for run, _key, _chunk, entries in site_shards(site):
        for entry in entries:
            yield run, entry["stub"]


def _named_files(stub) -> list[str]:
    """Every run-relative file a stub names (path, preview, mask and box layers, table cells)."""
    out: list[str] = []
    if isinstance(stub, list):
        for s in stub:
            out += _named_files(s)
    elif isinstance(stub, dict):
        for k, v in stub.items():
            if k in ("path", "preview") and isinstance(v, str):
                out.append(v)
            elif k == "__inline":
                for inl in v.values():
                    if isinstance(inl, dict) and "data" in inl:
                        out += _named_files(inl["data"])
            elif not k.startswith("__"):
                out += _named_files(v)
    return out


def test_every_kind_builds_and_every_file_a_stub_names_is_in_the_site(tmp_path):
    run = media.init(project="all", dir=str(tmp_path / "runs"), id="kinds")
    media.log({"loss": 1.0, **_every_kind()})
    media.log({"loss": 0.5, **_every_kind()})
    media.finish()
    stats = build_site([tmp_path / "runs"], tmp_path / "site")
    assert stats.problems == []
    site = tmp_path / "site"
    run_js = (site / "data/all.kinds/run.js").read_text()
    meta = json.loads(re.match(r'MB\.data\.run\(".*?",(.*)\);\n$', run_js, re.S).group(1))
    logged = set(_every_kind())
    assert set(meta["media"]) == logged
    assert meta["media"]["text"]["kind"] == "text" and meta["media"]["grid"]["kind"] == "image"
    grids = [stub for _k, stub in _shard_stubs(site) if stub.get("_type") == "media-list"]
    assert len(grids) == 2 and all(g["count"] == 3 for g in grids)
    named = [(key, f) for key, stub in _shard_stubs(site) for f in _named_files(stub)]
    assert len(named) >= 2 * len(logged) - 2, named  # text has no file; html/fig may inline
    for key, f in named:
        copy = site / "files" / key / f
        assert copy.is_file(), f
        original = Path(run.dir) / f
        # linked or copied byte for byte, never re-encoded
        assert copy.read_bytes() == original.read_bytes(), f
    # a stub's own JSON file is inlined, so the page never needs fetch()
    for _key, stub in _shard_stubs(site):
        for f in _named_files(stub):
            if f.endswith(".json") and stub.get("path") == f:
                assert f in stub["__inline"], f


def test_media_files_are_hard_linked_when_the_filesystem_allows(tmp_path):
    run_dir = make_run(tmp_path / "runs")
    build_site([tmp_path / "runs"], tmp_path / "site")
    key = "proj." + Path(run_dir).name
    src = Path(run_dir) / "media" / "img" / "0_0.png"
    dst = tmp_path / "site" / "files" / key / "media" / "img" / "0_0.png"
    assert dst.stat().st_ino == src.stat().st_ino


def test_rebuild_rewrites_only_the_run_that_grew(tmp_path):
    still = make_run(tmp_path / "runs", name="still")
    media.init(project="p", dir=str(tmp_path / "runs"), id="grow")
    media.log({"loss": 1.0, "pic": media.Image(np.zeros((4, 4), np.uint8))})
    build_site([tmp_path / "runs"], tmp_path / "site")
    site = tmp_path / "site"
    still_key = "proj." + Path(still).name

    def mtimes(sub: str) -> dict:
        return {p: p.stat().st_mtime_ns for p in (site / sub).rglob("*") if p.is_file()}

    before_still = mtimes(f"data/{still_key}") | mtimes(f"files/{still_key}")
    before_grow = mtimes("data/p.grow")
    media.log({"loss": 0.5, "pic": media.Image(np.ones((4, 4), np.uint8))})
    media.finish()
    stats = build_site([tmp_path / "runs"], site)
    assert stats.runs_rebuilt == 1
    assert mtimes(f"data/{still_key}") | mtimes(f"files/{still_key}") == before_still
    after_grow = mtimes("data/p.grow")
    assert set(after_grow) >= set(before_grow)
    assert after_grow[site / "data/p.grow/scalars.js"] != before_grow[site / "data/p.grow/scalars.js"]
    assert (site / "files/p.grow/media/pic/1_0.png").is_file()


def test_a_deleted_run_leaves_the_site(tmp_path):
    import shutil

    keep = make_run(tmp_path / "runs", name="keep")
    gone = make_run(tmp_path / "runs", name="gone")
    build_site([tmp_path / "runs"], tmp_path / "site")
    shutil.rmtree(gone)
    build_site([tmp_path / "runs"], tmp_path / "site")
    assert not (tmp_path / "site" / "data" / ("proj." + Path(gone).name)).exists()
    assert not (tmp_path / "site" / "files" / ("proj." + Path(gone).name)).exists()
    assert (tmp_path / "site" / "data" / ("proj." + Path(keep).name) / "run.js").is_file()


@pytest.mark.parametrize("where", ["name", "config", "notes", "key", "text"])
def test_script_files_never_close_a_script_element(tmp_path, where):
    kw = {"name": XSS} if where == "name" else {"config": {"k": XSS}} if where == "config" else \
        {"notes": XSS} if where == "notes" else {}
    run = media.init(project="x", dir=str(tmp_path / "runs"), id="x", **kw)
    media.log({XSS if where == "key" else "loss": 1.0, "t": XSS if where == "text" else "ok"})
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    site = tmp_path / "site"
    texts = {p: p.read_text() for p in (site / "data").rglob("*.js")}
    assert any("window.__pwned" in t for t in texts.values()), "the payload reached the data"
    for p, t in texts.items():
        assert "</script" not in t.lower(), p
    assert "window.__pwned" not in (site / "index.html").read_text()
    assert run.id == "x"


def test_cli_open_builds_then_opens_the_index(tmp_path, monkeypatch):
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    make_run(tmp_path / "runs")
    assert main(["open", str(tmp_path / "runs"), "-o", str(tmp_path / "o"), "-q"]) == 0
    assert opened == [(tmp_path / "o" / "index.html").resolve().as_uri()]


def test_cli_refuses_a_file_as_the_site_folder(tmp_path, capsys):
    make_run(tmp_path / "runs")
    (tmp_path / "f").write_text("x")
    assert main(["build", str(tmp_path / "runs"), "-o", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("mediaboard build:") and "is a file" in err[-1]


def test_a_new_builder_rebuilds_runs_that_did_not_change(tmp_path, monkeypatch):
    import viewer.build as vb

    make_run(tmp_path / "runs")
    build_site([tmp_path / "runs"], tmp_path / "site")
    assert build_site([tmp_path / "runs"], tmp_path / "site").runs_rebuilt == 0
    monkeypatch.setattr(vb, "BUILDER", "a-newer-viewer")
    assert build_site([tmp_path / "runs"], tmp_path / "site").runs_rebuilt == 1


def test_builds_while_a_run_is_being_written_never_fail(tmp_path):
    """What `mediaboard watch` does: rebuild again and again while another thread logs."""
    import threading
    import time

    run = media.init(project="p", dir=str(tmp_path / "runs"), id="live")
    done = threading.Event()

    def writer() -> None:
        for s in range(120):
            media.log({"loss": 1 / (s + 1), "t": f"s{s}",
                       "img": media.Image(np.full((8, 8), s % 256, np.uint8))})
            time.sleep(0.01)  # a training step: builds overlap the writes
        media.finish()
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    builds = 0
    try:
        while not done.is_set() or builds < 2:
            stats = build_site([tmp_path / "runs"], tmp_path / "site")
            builds += 1
            # a half-written last line may be seen and reported, nothing else
            assert all("torn" in p for p in stats.problems), stats.problems
            if list((tmp_path / "site" / "data" / "p.live").glob("s/*/0.js")):
                for key, stub in _shard_stubs(tmp_path / "site"):
                    for f in _named_files(stub):
                        assert (tmp_path / "site" / "files" / key / f).is_file(), f
    finally:
        thread.join(60)
    stats = build_site([tmp_path / "runs"], tmp_path / "site")
    assert stats.problems == [] and builds >= 2, builds
    scalars = (tmp_path / "site" / "data" / "p.live" / "scalars.js").read_text()
    assert scalars.count(",") > 120 and run.id == "live"
    steps = [e["step"] for _k, e in _shard_entries(tmp_path / "site", "img")]
    assert steps == list(range(120))


def _shard_entries(site: Path, key: str):
    for run, _key, _chunk, entries in site_shards(site, key=key):
        for entry in entries:
            yield run, {"step": entry["step"], "stub": entry["stub"]}
