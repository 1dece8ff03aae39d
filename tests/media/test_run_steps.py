"""wandb's step rules, row fields, flattening and value conversion, read back from history.jsonl."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

import media

# Each case: a list of calls (data, kwargs) and the rows expected on disk as (step, {user keys}).
STEP_CASES = {
    "one call one step": (
        [({"loss": 1, "acc": 0.1}, {}), ({"loss": 2}, {})],
        [(0, {"loss": 1, "acc": 0.1}), (1, {"loss": 2})],
    ),
    "commit=False merges into the next call": (
        [({"a": 1}, {"commit": False}), ({"b": 2}, {})],
        [(0, {"a": 1, "b": 2})],
    ),
    "same key twice in one row: last wins": (
        [({"a": 1}, {"commit": False}), ({"a": 2}, {})],
        [(0, {"a": 2})],
    ),
    "explicit equal step merges, a call without step commits it": (
        [({"c": 3}, {"step": 20}), ({"d": 4}, {"step": 20}), ({"e": 5}, {})],
        [(20, {"c": 3, "d": 4, "e": 5})],
    ),
    "larger step commits the pending row": (
        [
            ({"n": 1}, {}),
            ({"n": 11}, {"commit": False}),
            ({"n": 2}, {"step": 100}),
            ({"n": 3}, {"step": 100}),
            ({"n": 8}, {"step": 101}),
            ({"n": 5}, {"step": 102}),
        ],
        [(0, {"n": 1}), (1, {"n": 11}), (100, {"n": 3}), (101, {"n": 8}), (102, {"n": 5})],
    ),
    "explicit step with commit=True commits at once": (
        [({"m": 1}, {"step": 110, "commit": True}), ({"z": 2}, {})],
        [(110, {"m": 1}), (111, {"z": 2})],
    ),
    "finish commits the pending row": (
        [({"x": 1}, {"commit": False})],
        [(0, {"x": 1})],
    ),
    "nested dicts flatten to a/b": (
        [({"train": {"loss": 1, "sub": {"x": 2}}, "a/b": 3}, {})],
        [(0, {"train/loss": 1, "train/sub/x": 2, "a/b": 3})],
    ),
}


@pytest.mark.parametrize("calls,expected", list(STEP_CASES.values()), ids=list(STEP_CASES))
def test_step_rules(root, calls, expected):
    run = media.init(project="steps")
    for data, kwargs in calls:
        media.log(data, **kwargs)
    media.finish()
    rows = list(media.open_run(run.dir).history())
    got = [(r["_step"], {k: v for k, v in r.items() if not k.startswith("_")}) for r in rows]
    assert got == expected


def test_step_in_the_past_is_kept_as_late_row_with_warning(root):
    run = media.init(project="steps")
    media.log({"n": 1}, step=100)
    media.log({"n": 2}, step=102)
    with pytest.warns(UserWarning, match=r"step 2 is less than the current step 102"):
        media.log({"cool": 7}, step=2)
    media.finish()
    reader = media.open_run(run.dir)
    rows = list(reader.history())
    assert [r["_step"] for r in rows] == [2, 100, 102]  # step order, late row kept
    late = rows[0]
    assert late["_late"] is True and late["cool"] == 7
    assert reader.summary["cool"] == 7
    # on disk: commit order, one JSON object per line
    lines = (reader.path / "history.jsonl").read_text().splitlines()
    assert [json.loads(line)["_step"] for line in lines] == [100, 2, 102]


def test_run_step_property_matches_wandb(root):
    run = media.init(project="steps")
    assert run.step == 0
    media.log({"a": 1})
    assert run.step == 1
    media.log({"a": 1}, step=3)
    assert run.step == 3


def test_rows_carry_step_timestamp_runtime(root):
    run = media.init(project="steps")
    for i in range(3):
        media.log({"i": i})
    media.finish()
    rows = list(media.open_run(run.dir).history())
    for r in rows:
        assert isinstance(r["_timestamp"], float) and r["_timestamp"] > 1.6e9
        assert 0 <= r["_runtime"] < 60
    assert rows[0]["_timestamp"] <= rows[1]["_timestamp"] <= rows[2]["_timestamp"]


def test_values_convert(root):
    run = media.init(project="values")
    media.log(
        {
            "np_float": np.float32(0.5),
            "np_int": np.int64(7),
            "np_bool": np.bool_(True),
            "one_elem": np.array([3.0]),
            "small_array": np.arange(4),
            "plain_list": [1, 2.5, None],
            "text": "héllo ✓",
            "none": None,
            "nan": float("nan"),
            "inf": float("-inf"),
        }
    )
    media.finish()
    row = next(media.open_run(run.dir).history())
    assert row["np_float"] == 0.5 and type(row["np_float"]) is float
    assert row["np_int"] == 7 and row["np_bool"] is True
    assert row["one_elem"] == 3.0
    assert row["small_array"] == [0, 1, 2, 3]
    assert row["plain_list"] == [1, 2.5, None]
    assert row["text"] == "héllo ✓"
    assert row["none"] is None
    assert math.isnan(row["nan"]) and row["inf"] == float("-inf")


def test_history_readable_by_pandas_and_json(root):
    pd = pytest.importorskip("pandas")
    run = media.init(project="values")
    for i in range(5):
        media.log({"loss": 1.0 / (i + 1), "epoch": i // 2})
    media.finish()
    path = media.open_run(run.dir).path / "history.jsonl"
    df = pd.read_json(path, lines=True)
    assert list(df["_step"]) == [0, 1, 2, 3, 4]
    assert df["loss"].iloc[-1] == pytest.approx(0.2)
    df2 = media.open_run(run.dir).history(pandas=True)
    assert len(df2) == 5 and "epoch" in df2.columns


def test_history_keys_filter(root):
    run = media.init(project="values")
    media.log({"a": 1})
    media.log({"b": 2})
    media.log({"a": 3, "b": 4})
    media.finish()
    rows = list(media.open_run(run.dir).history(keys=["a"]))
    assert [r["a"] for r in rows] == [1, 3]
    assert all("b" not in r for r in rows)


BAD_LOG_CALLS = [
    ((5,), {}, media.MediaTypeError, r"log\(\): expected a dict of \{str: value\}; got int \(5\)"),
    (({1: 2},), {}, media.MediaTypeError, r"expected string keys; got key int \(1\)"),
    (({"a": {2: 3}},), {}, media.MediaTypeError, r"got key int \(2\) under 'a'"),
    (({"_step": 3},), {}, media.MediaValueError, r"key '_step' is reserved"),
    (({"": 3},), {}, media.MediaValueError, r"reserved or empty"),
    (({"x": object()},), {}, media.MediaTypeError, r"key 'x': expected a number.*got object"),
    (({"x": 1},), {"step": 1.5}, media.MediaTypeError, r"step must be an int; got float"),
    (({"x": 1},), {"step": -1}, media.MediaValueError, r"step must be >= 0; got -1"),
]


@pytest.mark.parametrize("args,kwargs,exc,match", BAD_LOG_CALLS)
def test_bad_log_calls_raise_and_lose_nothing(root, args, kwargs, exc, match):
    run = media.init(project="bad")
    media.log({"kept": 1})
    media.log({"pending": 2}, commit=False)
    with pytest.raises(exc, match=match):
        media.log(*args, **kwargs)
    media.finish()
    rows = list(media.open_run(run.dir).history())
    assert [(r["_step"], r.get("kept"), r.get("pending")) for r in rows] == [
        (0, 1, None),
        (1, None, 2),
    ]


def test_bad_value_error_is_also_builtin_type(root):
    media.init(project="bad")
    with pytest.raises(TypeError):
        media.log(5)
    with pytest.raises(ValueError):
        media.log({"_runtime": 1})


def test_log_after_finish_raises(root):
    run = media.init(project="bad")
    media.finish()
    with pytest.raises(media.RunStateError, match=r"no active run; call media.init\(\) first"):
        media.log({"a": 1})
    with pytest.raises(media.RunStateError, match=r"has finished; call media.init\(\)"):
        run.log({"a": 1})


def test_mixed_list_of_media_and_numbers_is_refused(root):
    from media._base import Media

    media.init(project="bad")

    with pytest.raises(media.MediaTypeError, match=r"only media values or only plain values"):
        media.log({"mix": [Media(), 3]})


def test_warning_points_at_user_line(root):
    media.init(project="w")
    media.log({"a": 1}, step=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        media.log({"a": 2}, step=1)
    assert caught and caught[0].filename == __file__


def test_too_many_images_under_one_key_warns_and_keeps_all(root):
    Image = media.Image
    old = Image.MAX_PER_KEY
    Image.MAX_PER_KEY = 3
    try:
        run = media.init(project="w")
        imgs = [Image(np.full((4, 4), i, np.uint8)) for i in range(5)]
        with pytest.warns(
            UserWarning, match=r"5 images at one step is more than Image.MAX_PER_KEY=3"
        ) as rec:
            media.log({"many": imgs})
        assert rec[0].filename == __file__
        media.finish()
    finally:
        Image.MAX_PER_KEY = old
    row = next(media.open_run(run.dir).history())
    assert row["many"]["count"] == 5 and len(row["many"]["items"]) == 5
