"""Text from a run, made safe to show: bidi and control characters become visible marks.

``visible("evil\\u202egnp.exe") == "evil⟦U+202E⟧gnp.exe"``: a right-to-left override (or any other
bidi control, or a C0/C1 control character other than tab and newline) would otherwise reorder or
hide the text around it, so a file name could read as ``evilexe.png``. The pages do the same in
JavaScript (``MB.visible`` in ``static/app.js``); templates apply this one to every value they
print (Jinja ``finalize``), and the ci summary to every user string.
"""

from __future__ import annotations

import re
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
