"""The file gate (docs/security.md): a hostile run folder cannot make build, report, ci or export
write outside their output folder, or carry a file from outside a run into what they write.

Each hostile run is a real run with hand-edited stubs and symlinks: paths with ``..`` that come
back into the run, absolute paths, symlinks under ``media/`` and ``files/`` (referenced by a stub
or not, to a file or a folder outside), and a symlink inside the output folder. A sentinel tree
outside every output is checksummed before and after; the outputs are searched for the secret's
bytes and for symlinks."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

import media
from viewer import ci, cli

SECRET = b"TOP-SECRET-4f1c9a: this file lives outside every run folder"


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if "gallery" in p.relative_to(folder).parts[:1]:
            continue
        h.update(p.relative_to(folder).as_posix().encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def _hostile_run(root: Path, name: str, secret_dir: Path, sentinel: Path) -> Path:
    """A run whose stubs and folders try every way out."""
    run = media.init(project="p", id=name, dir=str(root))
    for s in range(2):
        media.log({"pic": media.Image(np.full((8, 8, 3), 40 * s, np.uint8)),
                   "clip": media.Audio(np.zeros(800, np.float32), sample_rate=8000),
                   "tab": media.Table(columns=["a"], data=[[s]])})
    media.finish()
    d = Path(run.dir)
    (d / "media" / "link-out.png").symlink_to(secret_dir / "secret.png")
    (d / "media" / "dir-out").symlink_to(secret_dir, target_is_directory=True)
    (d / "files").mkdir(exist_ok=True)
    (d / "files" / "notes.txt").symlink_to(secret_dir / "secret.txt")
    (d / "files" / "ok.txt").write_text("a saved file")
    # rewrite the stubs: step 0 points through '..' back into the run and at the sentinel's
    # place; step 1 through a symlink that leaves the run
    hist = d / "history.jsonl"
    lines = [json.loads(x) for x in hist.read_text().splitlines()]
    # media/.. comes back to the run, three more '..' leave it and come back in through the
    # project folder: the source is the run's own file, but the same relpath under ci's
    # files/<side>/ lands two folders above the gallery, in the sentinel tree
    rel_back = f"media/../../../../{root.name}/p/{name}/media/pic/0_0.png"
    for line in lines:
        if isinstance(line.get("pic"), dict) and line["_step"] == 0:
            line["pic"]["path"] = rel_back
        if isinstance(line.get("pic"), dict) and line["_step"] == 1:
            line["pic"]["path"] = "media/link-out.png"
        if isinstance(line.get("clip"), dict) and line["_step"] == 0:
            line["clip"]["path"] = str(sentinel / "victim.txt")  # absolute
        if isinstance(line.get("tab"), dict) and line["_step"] == 1:
            line["tab"]["path"] = "media/dir-out/secret.json"
    hist.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return d


@pytest.fixture
def hostile(tmp_path: Path):
    secret_dir = tmp_path / "outside"
    secret_dir.mkdir()
    (secret_dir / "secret.png").write_bytes(SECRET)
    (secret_dir / "secret.txt").write_bytes(SECRET)
    (secret_dir / "secret.json").write_bytes(b'{"s": "' + SECRET + b'"}')
    sentinel = tmp_path / "ws"  # ci writes its gallery into ws/gallery; the rest of ws must not change
    for name in ("base", "cand"):
        (sentinel / "runs" / "p" / name / "media" / "pic").mkdir(parents=True)
        (sentinel / "runs" / "p" / name / "media" / "pic" / "0_0.png").write_text("must not change")
    (sentinel / "victim.txt").write_text("must not change")
    root = tmp_path / "runs"
    base = _hostile_run(root, "base", secret_dir, sentinel)
    cand = _hostile_run(root, "cand", secret_dir, sentinel)
    before = _tree_digest(tmp_path / "outside") + _tree_digest(sentinel)
    yield {"tmp": tmp_path, "root": root, "base": base, "cand": cand, "sentinel": sentinel,
           "secret_dir": secret_dir, "before": before}
    assert _tree_digest(tmp_path / "outside") + _tree_digest(sentinel) == before, \
        "a file outside every output changed"


def _assert_clean(out: Path) -> None:
    """No symlink anywhere in an output, and no byte of the secret in any of its files."""
    for p in out.rglob("*"):
        assert not p.is_symlink(), f"symlink in the output: {p} -> {os.readlink(p)}"
        if p.is_file():
            assert SECRET not in p.read_bytes(), f"the outside secret reached {p}"
            assert b"TOP-SECRET" not in p.read_bytes(), p


def test_build_ships_no_outside_file_and_names_what_it_refused(hostile, capsys):
    out = hostile["tmp"] / "site"
    assert cli.main(["build", str(hostile["root"]), "-o", str(out), "-q"]) == 0
    _assert_clean(out)
    err = capsys.readouterr().err
    assert "media/link-out.png: not shipped" in err and "files/notes.txt: not shipped" in err
    assert (out / "files" / "p.base" / "files" / "ok.txt").read_text() == "a saved file"
    assert (out / "files" / "p.base" / "media" / "pic" / "1_0.png").is_file()  # the real ones go
    run_js = (out / "data" / "p.base" / "run.js").read_text()
    assert '"files":["files/ok.txt"]' in run_js  # the saved-files list holds only the real one
    assert "not shipped" in run_js  # and the run page says what was refused


def test_ci_never_writes_outside_its_output(hostile, capsys):
    out = hostile["sentinel"] / "gallery"
    code = ci.main(["--baseline", str(hostile["base"]), "--candidate", str(hostile["cand"]),
                    "-o", str(out), "--fail-on", "image:pic.ssim>=0.99"])
    assert code in (0, 1)
    _assert_clean(out)
    gallery = (out / "index.html").read_text()
    assert "not compared" in gallery and "plain relative path" in gallery
    assert "through a symlink" in gallery


def test_ci_refuses_a_symlink_inside_its_output_that_leads_out(hostile):
    out = hostile["sentinel"] / "gallery"
    (out).mkdir()
    (out / ".mediaboard-ci").write_text("written by mediaboard ci\n")
    (out / "files").symlink_to(hostile["secret_dir"], target_is_directory=True)
    ci.main(["--baseline", str(hostile["base"]), "--candidate", str(hostile["base"]), "-o", str(out)])
    assert sorted(p.name for p in hostile["secret_dir"].iterdir()) == [
        "secret.json", "secret.png", "secret.txt"]  # nothing written through the link


def test_report_and_export_carry_no_outside_file(hostile):
    md = hostile["tmp"] / "r.md"
    md.write_text("# Hostile\n\n```mediaboard\nmedia: pic\nrun: base\n```\n\n"
                  "```mediaboard\ntable: tab\nrun: base\n```\n")
    rep = hostile["tmp"] / "report"
    assert cli.main(["report", str(md), "-o", str(rep), "--runs", str(hostile["root"]), "-q"]) == 0
    _assert_clean(rep)
    single = hostile["tmp"] / "export.html"
    assert cli.main(["export", str(hostile["base"]), "--single-file", str(single), "-q"]) == 0
    assert SECRET not in single.read_bytes() and b"TOP-SECRET" not in single.read_bytes()


@pytest.mark.parametrize("make,message", [
    (lambda t: (t / "somefile.txt").write_text("x") and t / "somefile.txt", "which is a file"),
    (lambda t: (t / "empty").mkdir() or t / "empty", "holds no run"),
    (lambda t: t / "nope", "does not exist"),
    (lambda t: ((t / "foreign").mkdir(), (t / "foreign" / "run.json").write_text("[1]"))
     and t / "foreign", "run.json"),
])
def test_build_of_something_that_is_not_runs_is_a_clear_error(tmp_path, capsys, make, message):
    target = make(tmp_path)
    assert cli.main(["build", str(target), "-o", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert message in err and str(target) in err and err.count("\n") == 1


def test_ci_never_lets_a_run_file_become_a_gallery_script_or_page(tmp_path: Path, capsys):
    """A candidate's image stub that names the path where the gallery keeps an Html value's
    script, or an .html file of its own, cannot get its file run in the gallery's origin."""
    runs = {}
    for name in ("base", "cand"):
        run = media.init(project="p", id=name, dir=str(tmp_path / "runs"))
        media.log({"page": media.Html("<p id=t>the logged page</p>"),
                   "img": media.Image(np.zeros((4, 4, 3), np.uint8)),
                   "img2": media.Image(np.zeros((4, 4, 3), np.uint8))}, step=0)
        media.finish()
        runs[name] = Path(run.dir)
    cand = runs["cand"]
    html_path = next((cand / "media" / "page").iterdir()).relative_to(cand).as_posix()
    (cand / f"{html_path}.js").write_text("window.__pwned = 1;")  # where ci once wrote the page's script
    (cand / "media" / "evil.html").write_text("<script>window.__pwned = 2</script>")
    hist = cand / "history.jsonl"
    lines = [json.loads(x) for x in hist.read_text().splitlines()]
    for line in lines:
        if isinstance(line.get("img"), dict):
            line["img"]["path"] = f"{html_path}.js"
        if isinstance(line.get("img2"), dict):
            line["img2"]["path"] = "media/evil.html"
    hist.write_text("".join(json.dumps(x) + "\n" for x in lines))
    out = tmp_path / "gallery"
    code = ci.main(["--baseline", str(runs["base"]), "--candidate", str(cand), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    # the scripts the gallery runs: its own and the Html values' (data-src), each what ci wrote
    page = (out / "index.html").read_text()
    loaded = re.findall(r'data-src="([^"]+)"', page)
    assert loaded and all(src.startswith("frames/") for src in loaded), loaded
    assert all("__pwned" not in (out / src).read_text() for src in loaded)
    assert all("the logged page" in (out / src).read_text() for src in loaded)
    assert re.findall(r'<script src="([^"]+)"', page) == ["gallery.js"]
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.suffix in (".html", ".js"))
    assert [p for p in pages if p.endswith(".html")] == ["frame.html", "index.html"], pages
    assert (out / "files" / "candidate" / "media" / "evil.html.txt").is_file()
    assert "__pwned" not in (out / "index.html").read_text()
    # the run's own files were never written through a link
    assert (cand / f"{html_path}.js").read_text() == "window.__pwned = 1;"


def test_a_saved_page_is_shipped_as_text_not_as_a_page_of_the_site(tmp_path: Path):
    run = media.init(project="p", id="saver", dir=str(tmp_path / "runs"))
    page = tmp_path / "report.html"
    page.write_text("<script>window.__pwned = 1</script>")
    (tmp_path / "notes.md").write_text("plain notes")
    media.save(str(page), base_path=str(tmp_path))
    media.save(str(tmp_path / "notes.md"), base_path=str(tmp_path))
    media.log({"x": 1})
    media.finish()
    assert (Path(run.dir) / "files" / "report.html").is_file()
    site = tmp_path / "site"
    assert cli.main(["build", str(tmp_path / "runs"), "-o", str(site), "-q"]) == 0
    shipped = sorted(p.relative_to(site / "files").as_posix() for p in (site / "files").rglob("*") if p.is_file())
    assert [p for p in shipped if "/files/" in p] == ["p.saver/files/notes.md", "p.saver/files/report.html.txt"]
    run_js = next((site / "data").glob("*/run.js")).read_text()
    assert '"files":["files/notes.md","files/report.html.txt"]' in run_js
