"""Contract tests that keep the parts in step: every media kind has a class, a stub document, a
renderer, a README line and a fixture entry; the fixture runs reference only files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import media
from media._registry import KINDS, PUBLIC, load

REPO = Path(__file__).resolve().parents[1]
FIXTURE_RUNS = REPO / "fixtures" / "runs"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_complete(kind):
    cls = load(KINDS[kind])
    assert cls.kind == kind
    assert (REPO / "docs" / "kinds" / f"{kind}.md").is_file(), f"docs/kinds/{kind}.md"
    assert (REPO / "viewer" / "static" / "renderers" / f"{kind}.js").is_file(), f"renderer for {kind}"
    renderer = (REPO / "viewer" / "static" / "renderers" / f"{kind}.js").read_text()
    assert re.search(r"(registerRenderer|R\.register)\(\s*[\"']" + kind + r"[\"']", renderer)
    # the viewer's side of the kind (docs/ARCHITECTURE.md, "Recipe: a new kind")
    from media import stubs
    from viewer import kinds

    assert kind in stubs.STUBS and (REPO / stubs.STUBS[kind].doc).is_file()
    module = kinds.get(kind)
    assert module.KIND == kind and module.METRICS and callable(module.compare)
    assert isinstance(module.VENDOR, tuple) and isinstance(module.REENCODE, bool)
    compare_js = REPO / "viewer" / "static" / "compare" / f"{kind}.js"
    assert compare_js.is_file(), f"compare modes for {kind}"
    assert f"MB.compareModes.{kind} = " in compare_js.read_text()
    readme = (REPO / "README.md").read_text()
    assert f"`{KINDS[kind]}" in readme, f"README mentions {KINDS[kind]}"
    fixture_kinds = set()
    for r in media.list_runs(FIXTURE_RUNS):
        fixture_kinds.update(r.media_keys().values())
    assert kind in fixture_kinds, f"no fixture run logs a {kind}"


def test_public_names_resolve():
    for name in PUBLIC:
        assert getattr(media, name) is load(name)
    assert set(PUBLIC) <= set(media.__all__)
    for name in media.__all__:
        assert getattr(media, name) is not None or name == "run"


def _paths(value):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("path", "preview") and isinstance(v, str):
                yield v
            else:
                yield from _paths(v)
    elif isinstance(value, list):
        for v in value:
            yield from _paths(v)


def test_fixture_runs_reference_only_existing_files():
    runs = media.list_runs(FIXTURE_RUNS)
    assert len(runs) == 2 and all(r.status == "finished" for r in runs)
    for r in runs:
        count = 0
        for row in r.history():
            for p in _paths(row):
                assert r.resolve(p).is_file(), p
                count += 1
        assert count > 50
        assert not r.problems
