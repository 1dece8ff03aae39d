"""Array helpers shared by every media kind: conversion to numpy and lazy detection of tensors.

torch is never imported here: a value is recognised as a tensor by its type's module name, and
only then are its own methods (``detach``, ``cpu``, ``numpy``) called.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from media.errors import MediaTypeError, MediaValueError, describe, warn


def is_torch_tensor(value: Any) -> bool:
    """True for a torch.Tensor (checked without importing torch)."""
    mod = type(value).__module__ or ""
    return mod.startswith("torch") and hasattr(value, "detach") and hasattr(value, "cpu")


def is_array_like(value: Any) -> bool:
    """True for numpy arrays, torch tensors, JAX/TF arrays and anything with ``__array__``."""
    return isinstance(value, np.ndarray) or is_torch_tensor(value) or hasattr(value, "__array__")


def to_numpy(value: Any, *, what: str = "value") -> np.ndarray:
    """Return ``value`` as a numpy array: CUDA tensors and tensors with grad are detached and moved.

    ``what`` names the argument in error messages (``"Image: data"``).
    """
    if isinstance(value, np.ndarray):
        return value
    if is_torch_tensor(value):
        t = value.detach()
        if getattr(t, "is_cuda", False) or str(getattr(t, "device", "cpu")) != "cpu":
            t = t.cpu()
        # bfloat16 and friends have no numpy dtype: widen to float32 first.
        if str(getattr(t, "dtype", "")) in ("torch.bfloat16", "torch.float16"):
            t = t.float()
        return np.asarray(t.numpy())
    if hasattr(value, "__array__"):
        return np.asarray(value)
    if isinstance(value, (list, tuple)):
        try:
            return np.asarray(value)
        except (ValueError, TypeError) as exc:
            raise MediaTypeError(
                f"{what}: expected an array-like of numbers; got {describe(value)}: {exc}"
            ) from None
    raise MediaTypeError(
        f"{what}: expected a numpy array, torch tensor or array-like; got {describe(value)}."
    )


# --------------------------------------------------------------------------------------------
# Pixel values: the one rule that turns any numeric array into uint8 (Image and Video use it)
# --------------------------------------------------------------------------------------------

#: the ``rule`` names ``to_uint8`` records, in the order it tries them
VALUE_RULES = ("explicit", "bool", "uint8", "int", "unit", "minmax", "constant")


def to_uint8(
    arr: Any,
    *,
    value_range: tuple[float, float] | None = None,
    what: str = "Image",
) -> tuple[np.ndarray, dict[str, Any]]:
    """Map a numeric array to uint8 pixel values by one fixed rule; return ``(pixels, info)``.

    The whole array is one unit (a video's frames share one mapping). The rule, in order:

    ==========  =========================================================  ===================
    ``rule``    when                                                       mapping
    ==========  =========================================================  ===================
    explicit    ``value_range=(lo, hi)`` was given (any dtype)             ``(x-lo)/(hi-lo)*255``, rounded, clipped to 0..255
    bool        dtype bool                                                 False -> 0, True -> 255
    uint8       dtype uint8                                                unchanged
    int         other integer dtypes with every value in 0..255            unchanged (cast)
    unit        floats with every finite value in [0, 1]                   ``x*255``, rounded
    minmax      any other integers or floats                               ``(x-min)/(max-min)*255``, rounded
    constant    minmax input whose min == max (nothing to stretch)          every pixel 128 (mid-grey)
    ==========  =========================================================  ===================

    "rounded" is round-half-to-even (``np.rint``), so ``k/255`` maps back to exactly ``k``.
    NaN and +-inf (floats only) are replaced before the rule is chosen: NaN and -inf by the
    smallest finite value, +inf by the largest (all non-finite: by 0); a warning gives their count. With ``explicit``, values outside
    ``(lo, hi)`` are clipped and a warning gives their count. Nothing is ever wrapped modulo 256.

    ``info`` is JSON-safe and is meant to be written as the stub's ``value_range``::

        {"rule": "minmax", "lo": -0.42, "hi": 2.82}        # lo/hi: the input values that became 0 and 255
        {"rule": "unit", "lo": 0.0, "hi": 1.0}
        {"rule": "uint8", "lo": 0, "hi": 255}
        {"rule": "explicit", "lo": 0.0, "hi": 10.0, "clipped": 12}
        {"rule": ..., "nonfinite": 3}                        # only when NaN/inf were replaced

    ``what`` starts warning and error messages (``"Video"``); warnings point at the user's line.
    The result is always a new array (never a view of ``arr``), so later changes to ``arr`` do not
    leak in.

    Example::

        >>> px, info = to_uint8(np.array([[0.0, 0.5, 1.0]]))
        >>> px.tolist(), info["rule"]
        ([[0, 128, 255]], 'unit')
    """
    a = to_numpy(arr, what=what)
    if a.dtype.kind not in "biuf":
        raise MediaTypeError(
            f"{what}: expected numeric pixel values (bool, integer or float); got dtype {a.dtype}."
        )
    if a.size == 0:
        raise MediaValueError(f"{what}: expected a non-empty array; got shape {tuple(a.shape)}.")
    info: dict[str, Any] = {}
    a, nonfinite = _replace_nonfinite(a, what=what)

    if value_range is not None:
        lo, hi = _check_value_range(value_range, what=what)
        work: np.ndarray = a.astype(_float_type(a.dtype), copy=False)
        scaled = (work - lo) * (255.0 / (hi - lo))
        outside = int(np.count_nonzero((scaled < -0.5) | (scaled > 255.5)))
        out = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
        info = {"rule": "explicit", "lo": lo, "hi": hi}
        if outside:
            info["clipped"] = outside
            warn(
                f"{what}: {outside} of {a.size} values lie outside value_range=({lo:g}, {hi:g}) "
                f"and were clipped to 0 or 255.",
            )
    elif a.dtype.kind == "b":
        out = a.astype(np.uint8) * np.uint8(255)
        info = {"rule": "bool", "lo": 0, "hi": 1}
    elif a.dtype == np.uint8:
        out = np.array(a, copy=True)
        info = {"rule": "uint8", "lo": 0, "hi": 255}
    else:
        lo_v, hi_v = _finite_min_max(a)
        if a.dtype.kind in "iu" and lo_v >= 0 and hi_v <= 255:
            out = a.astype(np.uint8)
            info = {"rule": "int", "lo": 0, "hi": 255}
        elif a.dtype.kind == "f" and lo_v >= 0.0 and hi_v <= 1.0:
            out = np.rint(a * 255.0).astype(np.uint8)
            info = {"rule": "unit", "lo": 0.0, "hi": 1.0}
        elif lo_v == hi_v:
            out = np.full(a.shape, 128, dtype=np.uint8)
            info = {"rule": "constant", "lo": _plain(lo_v), "hi": _plain(hi_v)}
        else:
            work = a.astype(_float_type(a.dtype), copy=False)
            scale = 255.0 / (float(hi_v) - float(lo_v))
            out = np.clip(np.rint((work - lo_v) * scale), 0, 255).astype(np.uint8)
            info = {"rule": "minmax", "lo": _plain(lo_v), "hi": _plain(hi_v)}
    if nonfinite:
        info["nonfinite"] = nonfinite
    return out, info


def _float_type(dtype: np.dtype) -> type:
    # float32 keeps video-sized arrays affordable; float64 input and wide integers keep float64.
    return np.float32 if dtype.kind == "f" and dtype.itemsize <= 4 else np.float64


def _plain(x: Any) -> float | int:
    v = x.item() if hasattr(x, "item") else x
    return int(v) if isinstance(v, (int, np.integer)) else float(v)


def _finite_min_max(a: np.ndarray) -> tuple[Any, Any]:
    """min and max of ``a`` (already free of NaN/inf), as Python numbers."""
    return _plain(a.min()), _plain(a.max())


def _check_value_range(value_range: Any, *, what: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise MediaValueError(
            f"{what}: value_range: expected a pair of numbers (lo, hi); got {describe(value_range)}."
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise MediaValueError(
            f"{what}: value_range: expected finite numbers with lo < hi; got ({lo:g}, {hi:g})."
        )
    return lo, hi


def _replace_nonfinite(a: np.ndarray, *, what: str) -> tuple[np.ndarray, int]:
    """Replace NaN/-inf by the finite minimum and +inf by the finite maximum (warns with the count)."""
    if a.dtype.kind != "f":
        return a, 0
    finite = np.isfinite(a)
    if finite.all():
        return a, 0
    bad = int(a.size - np.count_nonzero(finite))
    if finite.any():
        lo, hi = a[finite].min(), a[finite].max()
    else:
        lo = hi = a.dtype.type(0)
    fixed = np.where(np.isposinf(a), hi, a)
    fixed = np.where(finite | np.isposinf(a), fixed, lo)
    warn(
        f"{what}: {bad} of {a.size} values are NaN or infinite; NaN and -inf were replaced by the "
        f"smallest finite value ({float(lo):g}) and +inf by the largest ({float(hi):g}).",
    )
    return fixed.astype(a.dtype, copy=False), bad


# --------------------------------------------------------------------------------------------
# Channel axes
# --------------------------------------------------------------------------------------------

#: channel counts an image may have: grey, RGB, RGBA
IMAGE_CHANNELS = (1, 3, 4)


def channels_last(
    arr: np.ndarray,
    *,
    channels: str | None = None,
    lead: int = 0,
    what: str = "Image",
) -> np.ndarray:
    """Return ``arr`` with its image axes as (H, W) or (H, W, C), C in 1, 3, 4.

    The last ``lead`` axes-before-the-image are kept as they are (Video passes ``lead=1`` for
    (T, ...) frames). For the image part:

    - 2 axes: (H, W), grey.
    - 3 axes (a, b, c): ``channels="last"`` means (H, W, C); ``channels="first"`` means (C, H, W).
      Without ``channels``, the rule is: **channel-first when a is in {1, 3, 4} and c is not**,
      otherwise channel-last. So (3, 32, 32) and (1, 28, 28) are channel-first; (32, 32, 3),
      (28, 28, 1) and the ambiguous (3, 4, 4) are channel-last. Pass ``channels=`` to override.

    The channel count must be 1, 3 or 4; anything else raises MediaValueError naming the shape.
    A transposed result is a view; callers that keep it should copy.
    """
    if channels not in (None, "first", "last"):
        raise MediaValueError(
            f"{what}: channels: expected 'first', 'last' or None; got {describe(channels)}."
        )
    shape = tuple(arr.shape)
    img = shape[lead:]
    expected = f"{what}: expected shape (H, W), (H, W, C) or (C, H, W) with C in 1, 3, 4" + (
        " after the leading axes" if lead else ""
    )
    if len(img) == 2:
        if channels == "first":
            raise MediaValueError(
                f"{expected}; got {shape} with channels='first' (no channel axis)."
            )
        return arr
    if len(img) != 3 or min(img) == 0:
        raise MediaValueError(f"{expected}; got {shape}.")
    a, _, c = img
    if channels is None:
        channels = "first" if a in IMAGE_CHANNELS and c not in IMAGE_CHANNELS else "last"
    if channels == "first":
        if a not in IMAGE_CHANNELS:
            raise MediaValueError(f"{expected}; got {shape} with channels='first' ({a} channels).")
        order = list(range(lead)) + [lead + 1, lead + 2, lead]
        return np.transpose(arr, order)
    if c not in IMAGE_CHANNELS:
        raise MediaValueError(f"{expected}; got {shape}.")
    return arr


def check_caption(caption: Any, *, what: str) -> str | None:
    """A media value's caption: None, a str, or a number (made a str, e.g. a predicted class id)."""
    if isinstance(caption, (int, float, np.number)) and not isinstance(caption, (bool, np.bool_)):
        try:
            caption = str(caption)
        except ValueError:  # an int past Python's digit limit
            raise MediaValueError(
                f"{what}: caption: expected a str or a number of at most 4,300 digits; got an int "
                f"of {caption.bit_length()} bits."
            ) from None
    if caption is None:
        return caption
    if isinstance(caption, str):
        try:
            caption.encode("utf-8")
        except UnicodeEncodeError:
            raise MediaValueError(
                f"{what}: caption: expected valid Unicode text; got a string with a lone surrogate "
                f"({caption.encode('utf-8', 'backslashreplace').decode()!r}), as os.fsdecode "
                f"returns for a file name that is not UTF-8. Use os.fsdecode(name).encode("
                f"'utf-8', 'replace').decode() or a name you decode yourself."
            ) from None
        return caption
    raise MediaTypeError(f"{what}: caption: expected a str; got {describe(caption)}.")
