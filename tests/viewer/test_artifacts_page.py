"""The Artifacts page: data/artifacts.js from the store (manifests only, never the bytes), the page
in Chromium from file:// (names, versions, the lineage graph clickable to run pages, a two-version
diff, links from run pages), live while versions are logged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import media
from viewer.build import build_site

QUIET = {"system_interval": 0}
HOSTILE = '<img src=x onerror="document.body.dataset.owned=1">'


def load_site_data(site: Path) -> dict:
    text = (site / "data" / "artifacts.js").read_text(encoding="utf-8")
    m = re.fullmatch(r"MB\.data\.artifacts\((.*)\);\n", text, re.S)
    assert m, text[:80]
    return json.loads(m.group(1))


@pytest.fixture
def lineage_runs(root, tmp_path):
    """A data run logs dataset v0 then v1 (one file added, one removed, one changed); a training run
    uses dataset:v1 and logs model:v0 "best"; an eval run uses model:best. Returns {role: run id}."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.csv").write_text("a,b\n1,2\n")
    (data / "test.csv").write_text("a,b\n3,4\n")
    (data / "old.txt").write_text("removed in v1")
    ids = {}
    run = media.init(project="lin", name="prepare-data", job_type="data", settings=QUIET)
    ds = media.Artifact("mnist", type="dataset", description=HOSTILE, metadata={"rows": 2, "note": HOSTILE})
    ds.add_dir(data)
    run.log_artifact(ds)
    (data / "old.txt").unlink()
    (data / "train.csv").write_text("a,b\n1,2\n5,6\n")
    (data / "val.csv").write_text("a,b\n7,8\n")
    ds2 = media.Artifact("mnist", type="dataset", metadata={"rows": 3})
    ds2.add_dir(data)
    run.log_artifact(ds2, aliases=["clean"])
    ids["data"] = run.id
    media.finish()
    run = media.init(project="lin", name="train-cnn", job_type="train", settings=QUIET)
    run.use_artifact("mnist:clean").download(root=str(tmp_path / "dl"))
    (tmp_path / "model.pt").write_bytes(b"weights" * 100)
    model = media.Artifact("cnn", type="model", metadata={"acc": 0.97})
    model.add_file(tmp_path / "model.pt")
    run.log_artifact(model, aliases=["best"])
    media.log({"loss": 0.1})
    ids["train"] = run.id
    media.finish()
    run = media.init(project="lin", name="evaluate", job_type="eval", settings=QUIET)
    run.use_artifact("cnn:best")
    ids["eval"] = run.id
    media.finish()
    return ids


def test_site_data_holds_manifests_and_lineage_not_bytes(root, tmp_path, lineage_runs):
    site = tmp_path / "site"
    stats = build_site([root], site)
    data = load_site_data(site)
    (proj,) = data["projects"]
    assert proj["project"] == "lin"
    colls = {c["name"]: c for c in proj["collections"]}
    assert set(colls) == {"mnist", "cnn"}
    mnist = colls["mnist"]
    assert mnist["aliases"] == {"clean": 1, "latest": 1}
    assert [v["version"] for v in mnist["versions"]] == [0, 1]
    assert [f["path"] for f in mnist["versions"][1]["files"]] == ["test.csv", "train.csv", "val.csv"]
    assert mnist["versions"][0]["logged_by"]["name"] == "prepare-data"
    assert [r["name"] for r in mnist["versions"][1]["used_by"]] == ["train-cnn"]
    assert mnist["versions"][0]["used_by"] == []
    assert colls["cnn"]["versions"][0]["used_by"][0]["key"] is not None
    # only manifests reach the site: no file of the site holds an artifact's bytes
    secret = (root / ".artifacts" / "objects")
    objects = {p.read_bytes() for p in secret.rglob("*") if p.is_file() and p.stat().st_size > 20}
    for p in site.rglob("*"):
        if p.is_file():
            assert p.read_bytes() not in objects, p
    assert not [p for p in stats.problems if "artifacts" in p]


def test_a_broken_manifest_is_reported_and_the_build_goes_on(root, tmp_path, lineage_runs):
    (root / ".artifacts" / "lin" / "mnist" / "v1.json").write_text('{"format": 1, "name": 5')
    (root / ".artifacts" / "lin" / "cnn" / "v0.json").write_text(json.dumps(
        {"format": 1, "name": "cnn", "project": "lin", "type": "model", "version": 0,
         "files": [{"path": "../../etc/passwd", "digest": "0" * 64, "size": 1}, "nope"]}))
    stats = build_site([root], tmp_path / "site")
    data = load_site_data(tmp_path / "site")
    colls = {c["name"]: c for c in data["projects"][0]["collections"]}
    assert [v["version"] for v in colls["mnist"]["versions"]] == [0]
    assert colls["cnn"]["versions"][0]["files"] == []
    assert any("v1.json: not read" in p for p in stats.problems)
    assert any("files[0] is not a file entry" in p for p in stats.problems)


def test_a_new_version_changes_the_live_digest(root, tmp_path, lineage_runs):
    site = tmp_path / "site"
    build_site([root], site)
    before = (site / "data" / "live.js").read_text()
    run = media.init(project="lin", name="more", settings=QUIET)
    (tmp_path / "x.txt").write_text("x")
    art = media.Artifact("extra", type="dataset")
    art.add_file(tmp_path / "x.txt")
    run.log_artifact(art)
    media.finish()
    build_site([root], site)
    assert (site / "data" / "live.js").read_text() != before


def test_a_site_without_artifacts_has_an_empty_list(tmp_path, root):
    media.init(project="plain", settings=QUIET)
    media.log({"x": 1})
    media.finish()
    build_site([root], tmp_path / "site")
    assert load_site_data(tmp_path / "site")["projects"] == []


# ------------------------------------------------------------------------------------------------
# in Chromium
# ------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_artifacts_page_lineage_diff_and_run_links(root, tmp_path, lineage_runs, site_page):
    site = tmp_path / "site"
    build_site([root], site)
    sp = site_page(site)
    page = sp.page
    # the index links to the project's artifacts
    sp.open("", wait="body[data-ready=index]")
    page.wait_for_selector("#artifacts-links:not([hidden]) a")
    sp.screenshot("index")
    page.click("#artifacts-links a")
    page.wait_for_selector("body[data-ready=artifacts] #art-lineage")
    assert page.evaluate("location.hash").startswith("#/artifacts/lin")
    names = page.eval_on_selector_all(".art-names a[data-name]", "els => els.map(e => e.dataset.name)")
    assert names == ["cnn", "mnist"]

    # mnist: two versions, the lineage graph run -> versions -> run
    sp.open("#/artifacts/lin?name=mnist", wait="body[data-ready=artifacts] #art-lineage")
    graph = page.locator("#art-lineage")
    assert graph.locator("a.art-node-version").count() == 2
    labels = "els => els.map(e => e.dataset.label).sort()"
    assert page.eval_on_selector_all("#art-lineage a.art-node-run", labels) == ["prepare-data", "train-cnn"]
    assert graph.locator("path.art-edge").count() == 3  # data -> v0, data -> v1, v1 -> train
    assert graph.locator("path.art-edge.hot").count() == 2  # the selected (latest) version's
    # the aliases are drawn, text only (the hostile description is text, not markup)
    assert "clean" in graph.locator("a.art-node-version[data-version='1']").text_content()
    sp.open("#/artifacts/lin?name=mnist&v=0", wait="body[data-ready=artifacts] #art-details")
    assert HOSTILE in page.text_content("#art-details")
    assert page.locator("#art-details img").count() == 0 and page.evaluate("document.body.dataset.owned") is None
    assert page.locator("#art-details table[aria-label='Files of v0'] tbody tr").count() == 3

    # the diff of v0 and v1: train.csv changed, old.txt removed, val.csv added
    sp.open("#/artifacts/lin?name=mnist&a=0&b=1", wait="body[data-ready=artifacts] #art-diff")
    counts = page.text_content(".art-diff-counts")
    assert "1 added" in counts and "1 removed" in counts and "1 changed" in counts and "1 unchanged" in counts
    rows = page.eval_on_selector_all("#art-diff tbody tr", "els => els.map(e => [e.dataset.change, e.children[1].textContent])")
    assert rows == [["removed", "old.txt"], ["changed", "train.csv"], ["added", "val.csv"]]
    # swapping the versions swaps added and removed, and the URL keeps the choice
    page.select_option("#art-diff-a", "1")
    page.select_option("#art-diff-b", "0")
    rows = page.eval_on_selector_all("#art-diff tbody tr", "els => els.map(e => [e.dataset.change, e.children[1].textContent])")
    assert rows == [["added", "old.txt"], ["changed", "train.csv"], ["removed", "val.csv"]]
    assert "a=1" in page.evaluate("location.hash") and "b=0" in page.evaluate("location.hash")
    sp.open("#/artifacts/lin?name=mnist&a=0&b=1", wait="body[data-ready=artifacts] #art-diff")
    page.wait_for_selector(".art-diff-counts")
    sp.screenshot("mnist")

    # a run node opens that run's page, which lists what it logged and used
    page.click("#art-lineage a.art-node-run[data-label='train-cnn']")
    page.wait_for_selector("body[data-ready=run]")
    assert page.text_content(".run-name") == "train-cnn"
    page.wait_for_selector("#art-logged a")
    assert page.text_content("#art-logged a") == "cnn:v0"
    assert page.text_content("#art-used a") == "mnist:v1"
    sp.screenshot("run-page")
    page.click("#art-used a")
    page.wait_for_selector("body[data-ready=artifacts] #art-details")
    assert "mnist:v1" in page.text_content("#art-details h2")
    assert page.locator("table.art-versions tr.selected").get_attribute("data-version") == "1"

    # cnn: logged by train, used by eval; a version node selects the version
    sp.open("#/artifacts/lin?name=cnn", wait="body[data-ready=artifacts] #art-lineage")
    assert page.eval_on_selector_all("#art-lineage a.art-node-run", labels) == ["evaluate", "train-cnn"]
    page.click("#art-lineage a.art-node-version")
    page.wait_for_selector("body[data-ready=artifacts] #art-details")
    assert "v=0" in page.evaluate("location.hash")
    assert "best" in page.text_content("#art-details h2")
    sp.screenshot("cnn")


@pytest.mark.browser
def test_artifacts_page_follows_new_versions_live(root, tmp_path, lineage_runs, site_page):
    site = tmp_path / "site"
    build_site([root], site)
    sp = site_page(site)
    page = sp.page
    sp.open("#/artifacts/lin?name=cnn", wait="body[data-ready=artifacts] #art-lineage")
    assert page.locator("table.art-versions tbody tr").count() == 1
    run = media.init(project="lin", name="retrain", settings=QUIET)
    (tmp_path / "model.pt").write_bytes(b"better weights")
    model = media.Artifact("cnn", type="model")
    model.add_file(tmp_path / "model.pt")
    run.log_artifact(model, aliases=["best"])
    media.finish()
    build_site([root], site)
    page.wait_for_selector("table.art-versions tbody tr[data-version='1']", timeout=15000)
    assert page.locator("#art-lineage a.art-node-version").count() == 2
    assert "best" in page.text_content("#art-lineage a.art-node-version[data-version='1']")
    assert "best" not in page.text_content("#art-lineage a.art-node-version[data-version='0']")
    assert "name=cnn" in page.evaluate("location.hash")


@pytest.mark.browser
def test_artifacts_page_under_the_sites_content_security_policy(root, tmp_path, lineage_runs, site_page):
    """With the policy enforced (no inline script, scripts only from the site), the page and the
    run page's section draw; any refused load or script error fails the test (site_page)."""
    site = tmp_path / "site"
    build_site([root], site)
    sp = site_page(site, csp=True)
    sp.open("#/artifacts/lin?name=mnist&a=0&b=1", wait="body[data-ready=artifacts] #art-lineage")
    assert sp.page.locator("#art-lineage a.art-node").count() == 4
    assert sp.page.locator("#art-diff tbody tr").count() == 3
    sp.open("", wait="body[data-ready=index]")
    sp.page.wait_for_selector("#artifacts-links:not([hidden]) a")
    assert sp.refused == []


def test_symlinks_in_the_store_are_not_followed_into_the_site(root, tmp_path, lineage_runs):
    outside = tmp_path / "secret.json"
    outside.write_text(json.dumps({"format": 1, "name": "cnn", "project": "lin", "type": "model", "version": 1,
                                   "metadata": {"secret": "do-not-ship"}, "files": []}))
    (root / ".artifacts" / "lin" / "cnn" / "v1.json").symlink_to(outside)
    (root / ".artifacts" / "lin" / "leak").symlink_to(root / ".artifacts" / "lin" / "cnn")
    stats = build_site([root], tmp_path / "site")
    text = (tmp_path / "site" / "data" / "artifacts.js").read_text()
    assert "do-not-ship" not in text and '"leak"' not in text
    assert any("v1.json: not read" in p for p in stats.problems)
