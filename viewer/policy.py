"""The Content-Security-Policies of every page the viewer writes, in one place (docs/security.md).

``SITE``: the site's pages (``index.html``, ``report.html``) and the ci gallery: scripts only from
the site's own files, nothing fetched, posted or embedded from anywhere else.

``FRAME``: the document of every sandboxed frame (``static/frame.html``: Html media, Bokeh
documents). Its content is meant to run scripts (inline ones too), but only in the frame's opaque
origin, and nothing it loads may come from outside the page it is given: no network, no file.

``export(hashes)``: the single-file export, whose scripts are all inline: only the inline scripts
whose SHA-256 is listed run (no inline handler, no ``javascript:`` URL, no ``eval``), and scripts
from ``blob:`` URLs, which only a running script can make (the export loads its data and vendor
code that way). Its sandboxed frames are ``srcdoc`` documents and inherit this policy (on top of
``FRAME``).

>>> "connect-src 'none'" in SITE and "connect-src 'none'" in FRAME
True
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

_COMMON = "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"

SITE = (
    "default-src 'none'; script-src 'self' file:; style-src 'self' file: 'unsafe-inline'; "
    "img-src 'self' file: data: blob:; media-src 'self' file: data: blob:; font-src 'self' file: data:; "
    f"frame-src 'self' file:; {_COMMON}"
)

FRAME = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob: data:; "
    "style-src 'unsafe-inline' blob: data:; img-src blob: data:; media-src blob: data:; "
    f"font-src blob: data:; worker-src blob:; frame-src blob: data:; {_COMMON}"
)


def script_hash(text: str) -> str:
    """The CSP source expression that allows an inline ``<script>`` whose text is ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def export(hashes: Iterable[str]) -> str:
    """The single-file export's policy: the listed inline scripts and blob: scripts, no network."""
    sources = " ".join(sorted(set(hashes)))
    return (
        f"default-src 'none'; script-src {sources} blob:; style-src 'unsafe-inline'; "
        "img-src data: blob:; media-src data: blob:; font-src data:; frame-src blob: data:; "
        f"{_COMMON}"
    )


def meta(policy: str) -> str:
    """The ``<meta>`` element that carries ``policy`` (which holds no ``"``, ``<`` or ``&``)."""
    assert not set(policy) & set('"<&>'), policy
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


_DOCTYPE = re.compile(r"\A(\ufeff?\s*<!doctype[^>]*>)", re.IGNORECASE)


def confine_html(page: str) -> str:
    """``page`` with the frame's policy (``FRAME``) as its first element, so that, framed from a
    file of its own, it runs its scripts but loads nothing from outside (after its doctype, if
    it has one, so that it keeps its rendering mode)."""
    tag = meta(FRAME)
    m = _DOCTYPE.match(page)
    return page[:m.end()] + tag + page[m.end():] if m else tag + page


#: Suffixes of files a browser opens as documents that may run scripts: a run's file of this kind is
#: never linked as it is (a click would run it as a page of the site's or the gallery's origin).
ACTIVE_DOCUMENTS = frozenset({".html", ".htm", ".xhtml", ".xht", ".shtml", ".svg", ".svgz", ".xml",
                              ".xsl", ".xslt", ".mht", ".mhtml"})


def linkable(rel: str) -> str:
    """The name under which a run's file is shipped to be linked: ``.txt`` added to an active
    document (its link then shows its text), else ``rel`` itself.

    >>> linkable("files/report.html"), linkable("files/notes.md")
    ('files/report.html.txt', 'files/notes.md')
    """
    suffix = rel[rel.rfind("."):].lower() if "." in rel.rsplit("/", 1)[-1] else ""
    return rel + ".txt" if suffix in ACTIVE_DOCUMENTS else rel
