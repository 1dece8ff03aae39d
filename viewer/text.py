"""Text from a run, made safe to show: bidi and control characters become visible marks.

``visible("evil\\u202egnp.exe") == "evil⟦U+202E⟧gnp.exe"``: a right-to-left override (or any other
bidi control, or a C0/C1 control character other than tab and newline) would otherwise reorder or
hide the text around it, so a file name could read as ``evilexe.png``. The pages do the same in
JavaScript (``MB.visible`` in ``static/app.js``); templates apply this one to every value they
print (Jinja ``finalize``), and the ci summary to every user string.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def finalize(value: Any) -> Any:
    """Jinja ``finalize``: every printed value made visible, except markup a macro built."""
    from markupsafe import Markup

    return value if isinstance(value, Markup) else visible(value)


def visible(value: Any) -> Any:
    """``value`` with bidi and control characters shown as ``⟦U+XXXX⟧`` (non-strings unchanged)."""
    if not isinstance(value, str):
        return value
    return _INVISIBLE.sub(lambda m: f"\u27e6U+{ord(m.group(0)):04X}\u27e7", value)


@functools.lru_cache(maxsize=1)
def templates() -> Any:
    """The one Jinja2 environment of every page the viewer renders (``viewer/templates``):
    autoescaped, every printed value through :func:`finalize`, undefined names are errors."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )


# ---- one escaper per purpose -------------------------------------------------------------------


def _default(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else str(value)


def js_value(value: Any) -> str:
    """JSON as a JavaScript value in a script file (``MB.data.run(...)``; NaN and Infinity are valid
    JavaScript). Also safe when that file is inlined in ``<script>`` (no ``</``, no U+2028/9)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=True,
                      default=_default)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def json_block(value: Any) -> str:
    """JSON for a ``<script type="application/json">`` data block, read with ``JSON.parse``: no
    ``<`` at all, so no ``</script>`` or ``<!--`` can end or change the block."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_default).replace(
        "<", "\\u003c")


_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)


def script_text(text: str) -> str:
    """JavaScript source made safe inside ``<script>...</script>`` (the same program when run)."""
    return _SCRIPT_END.sub(r"<\\/\1", text).replace("<!--", "<\\!--")
