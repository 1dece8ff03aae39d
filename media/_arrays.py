"""Array helpers shared by every media kind: conversion to numpy and lazy detection of tensors.

torch is never imported here: a value is recognised as a tensor by its type's module name, and
only then are its own methods (``detach``, ``cpu``, ``numpy``) called.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from media.errors import MediaTypeError, describe


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
