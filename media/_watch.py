"""``media.watch(model)``: histograms of a PyTorch model's gradients and/or parameters every
``log_freq`` batches, under wandb's key names (``gradients/<param>``, ``parameters/<param>``), and
with ``log_graph=True`` the module tree (names, types, parameter shapes and counts) in the run's
``model.json``, which the run page shows as its Model section.

torch is imported only when ``watch`` is called. Between logging batches a hook costs a counter
increment: the histogram (``torch.histc`` on the tensor's own device, then 64 numbers to the CPU)
is computed only on every ``log_freq``-th call. The histograms go into the run's current row
(``log(..., commit=False)``), so they land at the step the training code logs next.
"""

from __future__ import annotations

from typing import Any

from media import runfolder as rf
from media.errors import MediaTypeError, MediaValueError, RunStateError, describe

BINS = 64
LOG_VALUES = ("gradients", "parameters", "all", None)

#: id(model) -> (the run it logs into, the hook handles), removed by unwatch or the run's finish
_watched: dict[int, tuple[Any, list[Any]]] = {}


def _active_run() -> Any:
    from media import _api

    run = _api._current
    if run is None:
        raise RunStateError("media.watch(): no active run; call media.init() first.")
    return run


def finished(run: Any) -> None:
    """A run ends: the hooks that log into it are removed (as wandb's finish does)."""
    for k in [k for k, (r, _) in _watched.items() if r is run]:
        for h in _watched.pop(k)[1]:
            h.remove()


def _histogram(tensor: Any) -> Any:
    """A media.Histogram of a tensor's finite values (None when there are none)."""
    import torch

    from media.histogram import Histogram

    flat = tensor.detach().reshape(-1)
    if not flat.is_floating_point():
        flat = flat.float()
    flat = flat[torch.isfinite(flat)]
    if flat.numel() == 0:
        return None
    lo, hi = float(flat.min()), float(flat.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts = torch.histc(flat.float(), bins=BINS, min=lo, max=hi).cpu().numpy()
    step = (hi - lo) / BINS
    edges = [lo + i * step for i in range(BINS)] + [hi]
    return Histogram(np_histogram=(counts.astype("int64"), edges))


def watch(models: Any, criterion: Any = None, log: str | None = "gradients", log_freq: int = 1000,
          idx: int | None = None, log_graph: bool = False, *, _run: Any = None) -> list[Any]:
    """Watch PyTorch modules (wandb's ``watch``): every ``log_freq`` batches, a histogram of each
    parameter's gradient (``log="gradients"``, the default), of each parameter (``"parameters"``),
    or both (``"all"``); ``None`` logs neither. ``log_graph=True`` records the module tree in the
    run's ``model.json``. ``criterion`` is accepted (wandb ignores it too). With several models,
    each parameter's name starts with the model's index (``idx``, else its place in the list).

    Example::

        model = Net()
        media.watch(model, log="all", log_freq=100)
    """
    run = _run if _run is not None else _active_run()
    try:
        import torch
    except ImportError:
        raise MediaValueError("media.watch(): expected PyTorch modules; torch is not installed "
                              "(pip install torch).") from None
    del criterion
    if log not in LOG_VALUES:
        raise MediaValueError(f"media.watch(): log must be 'gradients', 'parameters', 'all' or None; "
                              f"got {describe(log)}.")
    if isinstance(log_freq, bool) or not isinstance(log_freq, int) or log_freq < 1:
        raise MediaValueError(f"media.watch(): log_freq must be an int >= 1; got {describe(log_freq)}.")
    if idx is not None and (isinstance(idx, bool) or not isinstance(idx, int)):
        raise MediaTypeError(f"media.watch(): idx must be an int or None; got {describe(idx)}.")
    many = list(models) if isinstance(models, (list, tuple)) else [models]
    for i, m in enumerate(many):
        if not isinstance(m, torch.nn.Module):
            raise MediaTypeError(f"media.watch(): models[{i}]: expected a torch.nn.Module; got {describe(m)}.")
    if not hasattr(run, "_path"):  # a disabled run: nothing to watch into
        return many
    graphs = []
    for i, model in enumerate(many):
        prefix = "" if len(many) == 1 else f"{idx if idx is not None else i}."
        handles = _watched.setdefault(id(model), (run, []))[1]
        params = [(prefix + n, p) for n, p in model.named_parameters() if p.requires_grad]
        if log in ("parameters", "all"):
            handles.append(model.register_forward_hook(_parameter_hook(run, params, log_freq)))
        if log in ("gradients", "all"):
            for name, p in params:
                handles.append(p.register_hook(_gradient_hook(run, name, log_freq)))
        if log_graph:
            graphs.append(_graph(model, idx if idx is not None else i))
    if graphs:
        rf.atomic_write_json(run._path / rf.MODEL_JSON, {"models": graphs}, fsync=False)
    return many


def _parameter_hook(run: Any, params: list[tuple[str, Any]], log_freq: int) -> Any:
    calls = [0]

    def hook(module: Any, inputs: Any, output: Any) -> None:
        calls[0] += 1
        if calls[0] % log_freq or not module.training:
            return
        row = {}
        for name, p in params:
            h = _histogram(p)
            if h is not None:
                row[f"parameters/{name}"] = h
        if row and not getattr(run, "_finished", True):
            run.log(row, commit=False)

    return hook


def _gradient_hook(run: Any, name: str, log_freq: int) -> Any:
    calls = [0]

    def hook(grad: Any) -> None:
        calls[0] += 1
        if calls[0] % log_freq:
            return
        h = _histogram(grad)
        if h is not None and not getattr(run, "_finished", True):
            run.log({f"gradients/{name}": h}, commit=False)

    return hook


def _graph(model: Any, index: int) -> dict[str, Any]:
    """The module tree: one entry per module (name, type, its own parameters' shapes and counts,
    and the count under it), in the order ``named_modules`` gives."""
    modules = []
    for name, m in model.named_modules():
        own = [{"name": n, "shape": list(p.shape), "count": int(p.numel()), "trainable": bool(p.requires_grad)}
               for n, p in m.named_parameters(recurse=False)]
        modules.append({"name": name or "(root)", "type": type(m).__name__,
                        "depth": 0 if not name else name.count(".") + 1, "params": own,
                        "count": int(sum(p.numel() for p in m.parameters()))})
    return {"index": index, "type": type(model).__name__, "modules": modules,
            "parameters": int(sum(p.numel() for p in model.parameters())),
            "trainable": int(sum(p.numel() for p in model.parameters() if p.requires_grad))}


def unwatch(models: Any = None) -> None:
    """Stop watching ``models`` (a module or a list), or every watched module when None."""
    if models is None:
        keys = list(_watched)
    else:
        many = list(models) if isinstance(models, (list, tuple)) else [models]
        keys = [id(m) for m in many]
    for k in keys:
        for h in _watched.pop(k, (None, []))[1]:
            h.remove()
