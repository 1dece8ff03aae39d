"""The error tree's ``key``/``step``, re-raises that keep the error, and warnings at the user's line."""

from __future__ import annotations

import inspect
import pickle
import warnings

import numpy as np
import pytest

import media
from media._base import Media
from media.errors import MediaError, MediaValueError, add_context, warn
from tests.conftest import only_run


class _Broken(Media):
    """A media value whose logging fails with a chained error (as a kind's own check might)."""

    kind = "broken"

    def _at_log(self) -> Media:
        try:
            {}["missing"]
        except KeyError as exc:
            raise MediaValueError("Broken: cannot be logged.") from exc
        return self


class _FailsToWrite(Media):
    kind = "fails"

    def _serialize(self, writer):  # noqa: ANN001, ANN202
        raise OSError("no room")


def _last_frame_file(exc: BaseException) -> str:
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename


def _self_recursive_list() -> list:
    loop: list = []
    loop.append(loop)
    return loop


# (value logged under "img" at step 3, error class, message)
BAD_AT_LOG = {
    "unknown type": (object(), media.MediaTypeError, r"^log\(\): key 'img': expected a number"),
    "mixed list": ([Media(), 3], media.MediaTypeError, r"only media values or only plain values"),
    "self-recursive list": (_self_recursive_list(), media.MediaValueError, r"bounded depth"),
    "lone surrogate": ("\udcff", media.MediaValueError, r"can store \(UTF-8 JSON\)"),
}


@pytest.mark.parametrize("value, cls, match", BAD_AT_LOG.values(), ids=list(BAD_AT_LOG))
def test_a_refused_value_names_its_key_and_step(root, value, cls, match):
    media.init(project="e")
    with pytest.raises(cls, match=match) as info:
        media.log({"img": value}, step=3)
    assert (info.value.key, info.value.step) == ("img", 3)
    assert "(step 3; nothing was logged by this call)" in str(info.value)
    media.finish()
    assert list(only_run(root).history()) == []


def test_a_refused_nested_value_names_its_flat_key(root):
    run = media.init(project="e")
    with pytest.raises(media.MediaTypeError) as info:
        run.log({"val": {"img": object()}}, step=3)
    assert (info.value.key, info.value.step) == ("val/img", 3)
    assert isinstance(info.value, TypeError)


def test_a_reserved_key_is_named(root):
    media.init(project="e")
    with pytest.raises(media.MediaValueError, match="reserved") as info:
        media.log({"_step": 1}, step=3)
    assert (info.value.key, info.value.step) == ("_step", 3)


def test_an_error_passing_through_log_keeps_class_cause_and_traceback(root):
    media.init(project="e")
    with pytest.raises(MediaValueError, match=r"^Broken: cannot be logged\. \(step 3;") as info:
        media.log({"img": _Broken()}, step=3)
    exc = info.value
    assert type(exc) is MediaValueError and (exc.key, exc.step) == ("img", 3)
    assert isinstance(exc.__cause__, KeyError)
    assert _last_frame_file(exc) == __file__  # the traceback still reaches the line that raised


def test_a_refused_summary_value_names_its_key(root):
    run = media.init(project="e")
    with pytest.raises(media.MediaTypeError, match=r"^summary: key 'best'") as info:
        run.summary["best"] = object()
    assert (info.value.key, info.value.step) == ("best", None)
    assert _last_frame_file(info.value).endswith("_registry.py")


def test_a_refused_config_value_names_its_key(root):
    media.init(project="e")
    with pytest.raises(media.MediaTypeError, match=r"^config key 'lr'") as info:
        media.config.update({"lr": object()})
    assert info.value.key == "lr"


def test_media_errors_have_key_and_step_and_survive_pickling():
    exc = media.MediaValueError("Image: bad.", key="img", step=3)
    assert (exc.key, exc.step, str(exc)) == ("img", 3, "Image: bad.")
    assert (media.RunStateError("x").key, media.RunStateError("x").step) == (None, None)
    back = pickle.loads(pickle.dumps(exc))
    assert (type(back), back.key, back.step, str(back)) == (media.MediaValueError, "img", 3, "Image: bad.")


def test_add_context_changes_the_error_in_place():
    cause = KeyError("k")
    exc = media.MediaTypeError("log(): key 'a': bad.", key="a/b")
    exc.__cause__ = cause
    same = add_context(exc, key="a", step=7, replace=("log(): ", "summary: "), suffix="(more)")
    assert same is exc and exc.__cause__ is cause
    assert (exc.key, exc.step, str(exc)) == ("a/b", 7, "summary: key 'a': bad. (more)")  # key kept
    assert isinstance(exc, MediaError) and isinstance(exc, TypeError)


# ---- warnings point at the user's line -------------------------------------------------------
@pytest.mark.parametrize("via", ["module", "run"])
def test_a_warning_from_log_points_at_the_users_line(root, via):
    run = media.init(project="w")
    log = media.log if via == "module" else run.log
    log({"a": 1}, step=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        log({"a": 2}, step=1)
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, line)]


def test_a_warning_from_a_value_converted_by_log_points_at_the_users_line(root):
    media.init(project="w")
    values = np.full(100, np.nan)  # more than 32 elements: logged as a Histogram, which warns
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        media.log({"h": values})
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, line)]
    assert "NaN or infinite" in str(caught[0].message)


def test_a_warning_from_a_constructor_points_at_the_users_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        media.Image(np.array([[np.nan, 1.0]]))
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, line)]


def test_an_encoder_thread_warning_points_at_mediaboard_and_finish_at_the_user(root):
    media.init(project="w")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        media.log({"f": _FailsToWrite()})
        line = inspect.currentframe().f_lineno + 1
        media.finish()
    # the encoder's own report has no user's line to point at; finish()'s summary of it does
    assert [w.filename.endswith("_run.py") for w in caught] == [True, False]
    assert (caught[1].filename, caught[1].lineno) == (__file__, line)


def test_warn_from_user_code_points_at_its_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        warn("hello", RuntimeWarning)
    assert [(w.filename, w.lineno, w.category) for w in caught] == [(__file__, line, RuntimeWarning)]
