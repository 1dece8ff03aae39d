"""Artifacts: the tutorials' dataset -> training -> model flow offline, the content-addressed store
(dedup counted in bytes on disk), versions under concurrency and crashes, digests, bad inputs."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import media
from media import artifactstore as st

REPO = Path(__file__).resolve().parents[2]
QUIET = {"system_interval": 0}


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def store_files(root: Path) -> dict[str, int]:
    """Every file of the store with its size on disk (allocated bytes)."""
    base = root / st.STORE_DIR
    return {p.relative_to(base).as_posix(): p.stat().st_blocks * 512
            for p in base.rglob("*") if p.is_file()}


def make_dir(folder: Path, n: int, seed: int = 0, size: int = 1000) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"part-{i:03d}.bin").write_bytes(rng.bytes(size))
    return folder


def init(project: str = "tut", **kw):
    return media.init(project=project, settings=QUIET, **kw)


# ------------------------------------------------------------------------------------------------
# the tutorials' flow
# ------------------------------------------------------------------------------------------------


def test_tutorial_flow_dataset_training_model_by_alias(root, tmp_path):
    import media as wandb

    make_dir(tmp_path / "data", 5)
    run = wandb.init(project="tut", job_type="upload", settings=QUIET)
    raw = wandb.Artifact("mnist-raw", type="dataset", description="five parts", metadata={"rows": 5})
    raw.add_dir(str(tmp_path / "data"))
    run.log_artifact(raw)
    data_run = run.id
    wandb.finish()

    run = wandb.init(project="tut", job_type="train", settings=QUIET)
    used = run.use_artifact("mnist-raw:latest")
    folder = Path(used.download())
    assert sorted(os.listdir(folder)) == [f"part-{i:03d}.bin" for i in range(5)]
    for f in folder.iterdir():
        assert sha(f) == sha(tmp_path / "data" / f.name)
    (tmp_path / "model.pt").write_bytes(b"weights after training")
    model = wandb.Artifact("cnn", type="model", metadata={"acc": 0.97})
    model.add_file(str(tmp_path / "model.pt"))
    run.log_artifact(model, aliases=["best"])
    train_run = run.id
    assert (model.version, sorted(model.aliases)) == ("v0", ["best", "latest"])
    wandb.finish()

    run = wandb.init(project="tut", job_type="eval", settings=QUIET)
    best = wandb.use_artifact("cnn:best")
    got = Path(best.download(root=str(tmp_path / "eval"))) / "model.pt"
    assert got.read_bytes() == b"weights after training"
    eval_run = run.id
    wandb.finish()

    api_model = wandb.Api().artifact("tut/cnn:best")
    assert (api_model.version, api_model.metadata, api_model.type) == ("v0", {"acc": 0.97}, "model")
    assert api_model.logged_by().id == train_run
    assert [r.id for r in api_model.used_by()] == [eval_run]
    api_data = wandb.Api().artifact("tut/mnist-raw:v0")
    assert api_data.logged_by().id == data_run and [r.id for r in api_data.used_by()] == [train_run]
    assert api_data.description == "five parts"
    # the public runs name what they logged and used
    train = wandb.Api().run(f"tut/{train_run}")
    assert [a.qualified_name for a in train.logged_artifacts()] == ["tut/cnn:v0"]
    assert [a.qualified_name for a in train.used_artifacts()] == ["tut/mnist-raw:v0"]
    # the store is no run: three runs, nothing else
    assert {r.id for r in wandb.list_runs(root)} == {data_run, train_run, eval_run}


def test_manifest_is_readable_with_json_and_sha256_alone(root, tmp_path):
    make_dir(tmp_path / "d", 3)
    run = init()
    art = media.Artifact("ds", type="dataset")
    art.add_dir(tmp_path / "d", name="train")
    run.log_artifact(art)
    manifest = json.loads((root / ".artifacts" / "tut" / "ds" / "v0.json").read_text())
    assert manifest["version"] == 0 and manifest["logged_by"] == {"project": "tut", "run": run.id}
    assert [f["path"] for f in manifest["files"]] == [f"train/part-{i:03d}.bin" for i in range(3)]
    for f in manifest["files"]:
        obj = root / ".artifacts" / "objects" / f["digest"][:2] / f["digest"]
        assert sha(obj) == f["digest"] and obj.stat().st_size == f["size"]
        assert obj.stat().st_mode & 0o222 == 0  # read-only: never modified in place
    lines = "".join(f"{f['path']}\t{f['digest']}\t\n" for f in manifest["files"])
    assert manifest["digest"] == hashlib.sha256(lines.encode()).hexdigest()


# ------------------------------------------------------------------------------------------------
# dedup
# ------------------------------------------------------------------------------------------------


def test_logging_identical_content_again_makes_no_version_and_writes_no_bytes(root, tmp_path):
    make_dir(tmp_path / "d", 20, size=8192)
    run = init()
    first = media.Artifact("ds", type="dataset")
    first.add_dir(tmp_path / "d")
    run.log_artifact(first)
    before = store_files(root)
    objects_before = {k for k in before if k.startswith("objects/")}
    assert len(objects_before) == 20

    again = media.Artifact("ds", type="dataset")
    again.add_dir(tmp_path / "d")
    run.log_artifact(again, aliases=["again"])
    assert again.version == "v0"
    after = store_files(root)
    assert {k for k in after if k.startswith("objects/")} == objects_before
    assert sum(v for k, v in after.items() if k.startswith("objects/")) == \
        sum(v for k, v in before.items() if k.startswith("objects/"))
    assert st.Store(root).versions("tut", "ds") == [0]

    # one changed file: v1, and exactly one new object of that file's size
    (tmp_path / "d" / "part-007.bin").write_bytes(b"x" * 8192)
    third = media.Artifact("ds", type="dataset")
    third.add_dir(tmp_path / "d")
    run.log_artifact(third)
    assert third.version == "v1"
    new = {k for k in store_files(root) if k.startswith("objects/")} - objects_before
    assert len(new) == 1 and (root / ".artifacts" / next(iter(new))).stat().st_size == 8192
    # the user's file edited in place after logging leaves the store untouched (copied, not linked)
    with open(tmp_path / "d" / "part-000.bin", "r+b") as f:
        f.write(b"edited")
    third.verify()
    first.verify()


def test_same_content_under_two_names_is_stored_once(root, tmp_path):
    (tmp_path / "w.bin").write_bytes(os.urandom(50_000))
    run = init()
    for name in ("a", "b"):
        art = media.Artifact(name, type="model")
        art.add_file(tmp_path / "w.bin")
        run.log_artifact(art)
    assert len([k for k in store_files(root) if k.startswith("objects/")]) == 1


# ------------------------------------------------------------------------------------------------
# reliability: concurrency, crashes, corruption
# ------------------------------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    import media
    root, tag, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    src = Path(root).parent / ("src-" + tag)
    src.mkdir()
    for i in range(30):
        (src / f"{i}.bin").write_bytes(tag.encode() * 2000 + bytes([i]))
    run = media.init(project="race", dir=root, settings={"system_interval": 0})
    art = media.Artifact("shared", type="dataset", metadata={"tag": tag})
    art.add_dir(src)
    while not go.exists():
        time.sleep(0.001)
    run.log_artifact(art)
    print(art.version)
    media.finish()
""")


def test_two_processes_logging_one_name_at_once_get_distinct_versions(root, tmp_path):
    root.mkdir(parents=True, exist_ok=True)
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    kids = [subprocess.Popen([sys.executable, "-c", CHILD, str(root), tag, str(go)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("A", "B")]
    time.sleep(1.0)
    go.touch()
    outs = [k.communicate(timeout=120) for k in kids]
    assert all(k.returncode == 0 for k in kids), [o[1][-800:] for o in outs]
    assert sorted(o[0].strip() for o in outs) == ["v0", "v1"]
    store = st.Store(root)
    tags = {store.manifest("race", "shared", v)["metadata"]["tag"] for v in (0, 1)}
    assert tags == {"A", "B"}
    for v in (0, 1):
        assert store.verify(store.manifest("race", "shared", v)) == []


KILLED = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import media
    root, n = sys.argv[1], int(sys.argv[2])
    src = Path(root).parent / f"kill-src-{n}"
    src.mkdir()
    for i in range(300):
        (src / f"{i}.bin").write_bytes(os.urandom(20_000))
    run = media.init(project="crash", dir=root, settings={"system_interval": 0})
    art = media.Artifact("big", type="dataset")
    art.add_dir(src)
    print("logging", flush=True)
    run.log_artifact(art)
    print("logged", flush=True)
""")


def test_a_process_killed_while_logging_leaves_no_half_version(root, tmp_path):
    """SIGKILL at several moments of log_artifact: every version a reader sees is whole (its
    manifest parses and every object verifies)."""
    root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    completed = 0
    for n, delay in enumerate((0.0, 0.02, 0.05, 0.1, 0.2)):
        kid = subprocess.Popen([sys.executable, "-c", KILLED, str(root), str(n)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert kid.stdout is not None
        assert kid.stdout.readline().strip() == "logging"
        time.sleep(delay)
        kid.send_signal(signal.SIGKILL)
        out = kid.communicate(timeout=60)[0]
        completed += "logged" in out
    store = st.Store(root)
    versions = store.versions("crash", "big")
    assert completed < 5, "no log was interrupted: the test proved nothing"
    # every log that returned is visible; a kill after the manifest's rename but before the print
    # may add one more, whole
    assert completed <= len(versions) <= 5
    for v in versions:
        m = store.manifest("crash", "big", v)
        assert len(m["files"]) == 300 and store.verify(m) == []
    assert store.problems == []
    # no visible temporary manifest; the next log numbers on from what is visible
    folder = root / ".artifacts" / "crash" / "big"
    if folder.exists():
        assert all(n.startswith(".") or n in ("used.jsonl", "aliases.json") or n.endswith(".json")
                   for n in os.listdir(folder))


def test_a_file_changed_between_add_and_log_is_refused_and_no_version_appears(root, tmp_path):
    (tmp_path / "a.bin").write_bytes(b"a" * 100)
    (tmp_path / "b.bin").write_bytes(b"b" * 100)
    run = init()
    art = media.Artifact("ds", type="dataset")
    art.add_file(tmp_path / "a.bin")
    art.add_file(tmp_path / "b.bin")
    (tmp_path / "b.bin").write_bytes(b"changed")
    with pytest.raises(media.MediaValueError, match=r"b\.bin.*changed after it was added"):
        run.log_artifact(art)
    assert st.Store(root).versions("tut", "ds") == []
    assert not any(p.name.startswith(".") and p.is_file() and "lock" not in p.name
                   for p in (root / ".artifacts").rglob("*"))  # no temporary file left


def test_a_corrupted_object_is_named_by_verify_and_download(root, tmp_path):
    make_dir(tmp_path / "d", 3)
    run = init()
    art = media.Artifact("ds", type="dataset")
    art.add_dir(tmp_path / "d")
    run.log_artifact(art)
    art.verify()
    digest = art.get_entry("part-001.bin").digest
    obj = root / ".artifacts" / "objects" / digest[:2] / digest
    obj.chmod(0o644)
    obj.write_bytes(b"bit rot")
    with pytest.raises(media.MediaValueError, match=r"part-001\.bin.*corrupted"):
        art.verify()
    fresh = media.Api().artifact("tut/ds:latest")
    with pytest.raises(media.MediaValueError, match=r"part-001\.bin.*does not match its digest"):
        fresh.download(root=tmp_path / "out")
    assert not (tmp_path / "out" / "part-001.bin").exists()  # no bad copy left behind
    # a downloaded copy changed later is named by verify(root)
    obj.write_bytes((tmp_path / "d" / "part-001.bin").read_bytes())
    fresh.download(root=tmp_path / "ok")
    (tmp_path / "ok" / "part-002.bin").write_bytes(b"edited")
    with pytest.raises(media.MediaValueError, match=r"part-002\.bin"):
        fresh.verify(root=tmp_path / "ok")


# ------------------------------------------------------------------------------------------------
# bad inputs
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "match"), [
    ("data:v1", r"got 'data:v1', which has ':'"),
    ("team/data", r"got 'team/data', which has '/'"),
    ("", r"expected a name of letters"),
    (".hidden", r"expected a name of letters"),
])
def test_bad_names_are_refused_naming_them(name, match):
    with pytest.raises(media.MediaValueError, match=match):
        media.Artifact(name, type="dataset")


def test_bad_inputs_get_errors_naming_them(root, tmp_path):
    run = init()
    art = media.Artifact("ds", type="dataset")
    with pytest.raises(media.MediaValueError, match=r"add_file\(\): expected an existing file; got .*nope\.csv.*does not exist"):
        art.add_file(tmp_path / "nope.csv")
    with pytest.raises(media.MediaValueError, match=r"add_dir\(\): expected an existing folder; got .*nodir"):
        art.add_dir(tmp_path / "nodir")
    with pytest.raises(media.MediaValueError, match=r"is a folder: use add_dir"):
        art.add_file(tmp_path)
    with pytest.raises(media.MediaValueError, match=r"plain relative path; got '\.\./x'"):
        with art.new_file("../x"):
            pass
    with pytest.raises(media.MediaTypeError, match=r"metadata must be a dict"):
        media.Artifact("ds", type="dataset", metadata=[1])
    with pytest.raises(media.MediaTypeError, match=r"expected a media value.*got int"):
        art["x"] = 5
    (tmp_path / "f.txt").write_text("x")
    art.add_file(tmp_path / "f.txt")
    for alias in ("v3", "v0"):
        with pytest.raises(media.MediaValueError, match=rf"got '{alias}', which is a version string"):
            run.log_artifact(art, aliases=[alias])
    run.log_artifact(art, aliases=["latest", "best"])  # 'latest' listed is what happens anyway
    with pytest.raises(media.RunStateError, match=r"logged, and a version never changes"):
        art.add_file(tmp_path / "f.txt", name="g.txt")
    other = media.Artifact("ds", type="dataset")
    (tmp_path / "g.txt").write_text("y")
    other.add_file(tmp_path / "g.txt")
    run.log_artifact(other)
    old = media.Api().artifact("tut/ds:v0")
    old.aliases.append("latest")
    with pytest.raises(media.MediaValueError, match=r"'latest' cannot be given to tut/ds:v0.*newest version \(v1\)"):
        old.save()
    with pytest.raises(media.MediaValueError, match=r"no artifact named 'nope' in project 'tut'; there are: ds"):
        run.use_artifact("nope:latest")
    with pytest.raises(media.MediaValueError, match=r"no such version or alias; there are: v0, v1, best, latest"):
        run.use_artifact("ds:v9")
    with pytest.raises(media.MediaValueError, match=r"holds artifacts of type 'dataset'; got type 'model'"):
        m = media.Artifact("ds", type="model")
        m.add_file(tmp_path / "g.txt", name="other.txt")
        run.log_artifact(m)


def test_module_functions_need_an_active_run(root):
    with pytest.raises(media.RunStateError, match=r"log_artifact\(\): no active run"):
        media.log_artifact(media.Artifact("x", type="t"))
    with pytest.raises(media.RunStateError, match=r"use_artifact\(\): no active run"):
        media.use_artifact("x:latest")
    run = media.init(project="t", mode="disabled")
    art = media.Artifact("x", type="t")
    assert media.log_artifact(art) is art and isinstance(run, media.DisabledRun)
    assert not (root / ".artifacts").exists()


# ------------------------------------------------------------------------------------------------
# references, new_file, media values inside
# ------------------------------------------------------------------------------------------------


def test_references_file_uri_with_size_and_sha256_other_schemes_as_given(root, tmp_path):
    (tmp_path / "big.csv").write_bytes(b"a,b\n" * 1000)
    run = init()
    art = media.Artifact("refs", type="dataset")
    art.add_reference((tmp_path / "big.csv").as_uri())
    art.add_reference("s3://bucket/path/shard-0.parquet")
    art.add_reference("https://example.org/x.zip", name="x.zip")
    run.log_artifact(art)
    m = json.loads((root / ".artifacts" / "tut" / "refs" / "v0.json").read_text())
    files = {f["path"]: f for f in m["files"]}
    assert files["big.csv"] == {"path": "big.csv", "ref": (tmp_path / "big.csv").as_uri(),
                                "digest": sha(tmp_path / "big.csv"), "size": 4000}
    assert files["shard-0.parquet"] == {"path": "shard-0.parquet", "ref": "s3://bucket/path/shard-0.parquet",
                                        "digest": None, "size": None}
    assert files["x.zip"]["ref"] == "https://example.org/x.zip"
    assert not (root / ".artifacts" / "objects").exists()  # references are not copied
    with pytest.warns(UserWarning, match=r"2 reference\(s\).*not fetched.*s3://bucket"):
        out = Path(art.download(root=tmp_path / "dl"))
    assert (out / "big.csv").read_bytes() == (tmp_path / "big.csv").read_bytes()
    (tmp_path / "big.csv").write_bytes(b"changed")
    with pytest.raises(media.MediaValueError, match=r"big\.csv.*does not match its digest"):
        art.get_entry("big.csv").download(root=tmp_path / "dl2")


def test_new_file_and_media_values_stored_inside(root, tmp_path):
    run = init()
    art = media.Artifact("preds", type="predictions")
    with art.new_file("notes/README.md") as f:
        f.write("# predictions\n")
    with art.new_file("raw.bin", mode="wb") as f:
        f.write(b"\x00\x01")
    art["table"] = media.Table(columns=["id", "label", "score"], data=[[1, "cat", 0.9], [2, "dog", 0.4]])
    pixels = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    art["image"] = media.Image(pixels, caption="first")
    run.log_artifact(art)
    del art
    got = media.Api().artifact("tut/preds:latest")
    names = [f.path for f in got.files()]
    assert {"notes/README.md", "raw.bin", "table.table.json", "image.image.json"} <= set(names)
    table = got.get("table")
    assert isinstance(table, media.Table)
    assert table.columns == ["id", "label", "score"] and table.data == [[1, "cat", 0.9], [2, "dog", 0.4]]
    image = got.get("image")
    assert isinstance(image, media.Image)
    out = Path(got.download(root=tmp_path / "dl"))
    assert (out / "notes" / "README.md").read_text() == "# predictions\n"
    from PIL import Image as PILImage

    stub = json.loads((out / "image.image.json").read_text())
    assert np.array_equal(np.asarray(PILImage.open(out / stub["path"])), pixels)
    with pytest.raises(media.MediaValueError, match=r"no media value named 'nope'; it holds 'image', 'table'"):
        got.get("nope")


# ------------------------------------------------------------------------------------------------
# aliases, versions, the read API, models, links
# ------------------------------------------------------------------------------------------------


def test_aliases_move_and_latest_names_the_newest(root, tmp_path):
    run = init()
    for i in range(3):
        (tmp_path / "m.pt").write_bytes(b"epoch %d" % i)
        art = media.Artifact("cnn", type="model")
        art.add_file(tmp_path / "m.pt")
        run.log_artifact(art, aliases=["best"] if i != 2 else [])
    api = media.Api()
    assert api.artifact("tut/cnn:best").version == "v1"
    assert api.artifact("tut/cnn:latest").version == "v2"
    assert api.artifact("cnn:v0").aliases == []  # the only project with artifacts
    assert sorted(api.artifact("tut/cnn:v2").aliases) == ["latest"]
    v0 = api.artifact("tut/cnn:v0")
    v0.aliases.append("production")
    v0.save()
    aliases = json.loads((root / ".artifacts" / "tut" / "cnn" / "aliases.json").read_text())
    assert aliases == {"best": 1, "production": 0}
    assert [a.version for a in v0.versions()] == ["v0", "v1", "v2"]
    assert api.artifact_exists("tut/cnn:production") and not api.artifact_exists("tut/cnn:nope")
    assert [c.name for c in api.artifact_collections("tut")] == ["cnn"]
    assert [a.version for a in api.artifacts("model", "tut/cnn")] == ["v0", "v1", "v2"]


def test_log_model_use_model_and_link(root, tmp_path):
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "weights.bin").write_bytes(b"w" * 100)
    run = init()
    model = run.log_model(tmp_path / "ckpt", name="resnet", aliases=["best"])
    assert (model.type, model.version) == ("model", "v0")
    linked = run.link_artifact(model, "registry/resnet-prod", aliases=["staging"])
    assert linked.qualified_name == "registry/resnet-prod:v0"
    assert linked.manifest["linked_from"] == {"project": "tut", "name": "resnet", "version": 0}
    folder = Path(run.use_model("resnet:best"))
    assert (folder / "weights.bin").read_bytes() == b"w" * 100
    assert len([k for k in store_files(root) if k.startswith("objects/")]) == 1  # the link stored nothing new


def test_logging_a_path_makes_an_artifact(root, tmp_path):
    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    init()
    art = media.log_artifact(str(tmp_path / "table.csv"), name="csv", type="dataset")
    assert (art.qualified_name, [f.path for f in art.files()]) == ("tut/csv:v0", ["table.csv"])


def test_other_projects_and_roots(root, tmp_path):
    (tmp_path / "f.bin").write_bytes(b"shared data")
    run = init(project="data-team")
    art = media.Artifact("ds", type="dataset")
    art.add_file(tmp_path / "f.bin")
    run.log_artifact(art)
    media.finish()
    run = init(project="models")
    (tmp_path / "m.bin").write_bytes(b"m")
    model = media.Artifact("m", type="model")
    model.add_file(tmp_path / "m.bin")
    run.log_artifact(model)
    used = run.use_artifact("data-team/ds:latest")  # another project of the same root
    assert used.qualified_name == "data-team/ds:v0"
    assert [r.id for r in media.Api().artifact("data-team/ds:v0").used_by()] == [run.id]
    with pytest.raises(media.MediaValueError, match=r"name the project: 'project/ds:v0'.*data-team, models"):
        media.Api().artifact("ds:v0")
    assert media.Api(overrides={"project": "data-team"}).artifact("ds:v0").version == "v0"
    media.finish()
    other = media.init(project="models", dir=str(tmp_path / "elsewhere"), settings=QUIET)
    with pytest.raises(media.MediaValueError, match=r"data-team/ds:v0 is stored under .*not under this run's root"):
        other.log_artifact(used)
    with pytest.raises(media.MediaValueError, match=r"no artifact named 'ds' in project 'data-team'"):
        other.use_artifact("data-team/ds:latest")


def _age(path: Path, seconds: float = 3600) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_an_old_unchanged_file_is_copied_without_a_second_hash(root, tmp_path, monkeypatch):
    from media import _artifacts

    old = tmp_path / "old.bin"
    old.write_bytes(os.urandom(300_000))
    _age(old)  # last changed long before it is added: its stat is trusted at log time
    fresh = tmp_path / "fresh.bin"
    fresh.write_bytes(os.urandom(1000))  # changed just now: hashed again when logged
    hashed = []
    real = _artifacts._copy_hashing
    monkeypatch.setattr(_artifacts, "_copy_hashing", lambda src, fd: hashed.append(Path(src).name) or real(src, fd))
    run = init()
    art = media.Artifact("ds", type="dataset")
    art.add_file(old)
    art.add_file(fresh)
    run.log_artifact(art)
    assert hashed == ["fresh.bin"]
    stored = st.Store(root).object_path(sha(old))
    assert stored.read_bytes() == old.read_bytes() and sha(stored) == sha(old)
    assert "_stat" not in json.dumps(st.Store(root).manifest("tut", "ds", 0))
    run.use_artifact("ds:latest").verify()


def test_an_old_file_changed_with_its_size_and_mtime_kept_is_still_refused(root, tmp_path):
    p = tmp_path / "a.bin"
    p.write_bytes(b"a" * 100)
    _age(p)
    run = init()
    art = media.Artifact("ds", type="dataset")
    art.add_file(p)
    mtime = p.stat().st_mtime_ns
    p.write_bytes(b"b" * 100)  # same size ...
    os.utime(p, ns=(mtime, mtime))  # ... and the mtime put back: the ctime still moved
    with pytest.raises(media.MediaValueError, match=r"a\.bin.*changed after it was added"):
        run.log_artifact(art)
    assert st.Store(root).versions("tut", "ds") == []
