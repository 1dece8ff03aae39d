"""Html: one HTML page or fragment, stored as a ``.html`` file.

The text is read (from a string, a file path or a file object) at construction and kept in
memory; the run's worker writes it as UTF-8. The viewer shows it in a sandboxed iframe. The stub is
documented in ``docs/kinds/html.md``.

Example::

    media.log({"report": media.Html("<h1>Epoch 3</h1><p>loss went <b>down</b></p>")})
"""

from __future__ import annotations

import os
import re
from typing import Any

from media._base import Media
from media.errors import MediaTypeError, MediaValueError, describe

#: file extensions that make a ``str`` a path (when it also looks like one, see ``Html``)
HTML_EXTS = (".html", ".htm")

# Neutral, local styling for wrapped fragments: readable defaults, no remote stylesheet.
_FRAGMENT_CSS = (
    "body{margin:8px;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "font-size:14px;line-height:1.4;color:#222;background:#fff}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
    "img,video,canvas,svg{max-width:100%}pre{overflow:auto}"
)
_DOC_HEAD = (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<style>" + _FRAGMENT_CSS + "</style>\n</head>\n<body>\n"
)
_DOC_TAIL = "\n</body>\n</html>\n"

_HTML_TAG = re.compile(r"<html[\s>]", re.IGNORECASE)
_HEAD_TAG = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_HTML_OPEN = re.compile(r"<html(\s[^>]*)?>", re.IGNORECASE)
_CHARSET = re.compile(r"<meta[^>]+charset", re.IGNORECASE)


class Html(Media):
    """An HTML page or fragment stored as a ``.html`` file (UTF-8).

    ``data_or_path`` may be:

    - a ``str`` of HTML. **A str is read as a file path instead** when it has no ``<``, no line
      break, and ends in ``.html`` or ``.htm`` (any case); such a path must exist. Pass
      ``data_is_not_path=True`` to always take a str as HTML text.
    - a ``pathlib.Path`` / ``os.PathLike`` to a file (any extension), read as UTF-8;
    - a file object (text or binary; rewound first when it can seek), read as UTF-8;
    - ``bytes`` (UTF-8);
    - another ``Html`` (copied).

    ``inject=True`` (the default) makes the file a complete page: a fragment (text without an
    ``<html`` tag) is wrapped in a minimal document with ``<meta charset="utf-8">`` and neutral
    inline CSS (nothing remote); a complete document without a charset declaration gets
    ``<meta charset="utf-8">`` as the first thing in its head. The stub records which
    (``wrapped``, ``charset_added``). ``inject=False`` stores the text exactly as given.

    Example::

        Html("<b>hi</b>")                       # wrapped in a page
        Html(Path("report.html"), inject=False)  # stored byte for byte
    """

    kind = "html"

    def __init__(
        self, data_or_path: Any, inject: bool = True, data_is_not_path: bool = False
    ) -> None:
        if not isinstance(inject, bool):
            raise MediaTypeError(f"Html: inject: expected a bool; got {describe(inject)}.")
        self.source_path: str | None = None
        raw: bytes | None = None  # the file's own bytes, kept exactly when nothing is injected
        if isinstance(data_or_path, Html):
            text = data_or_path.text
        elif isinstance(data_or_path, str):
            if not data_is_not_path and _looks_like_path(data_or_path):
                raw = _read_file(data_or_path)
                self.source_path = data_or_path
                text = _decode(raw, where=data_or_path)
            else:
                text = data_or_path
        elif isinstance(data_or_path, os.PathLike):
            path = os.fspath(data_or_path)
            raw = _read_file(path)
            self.source_path = str(path)
            text = _decode(raw, where=str(path))
        elif isinstance(data_or_path, (bytes, bytearray)):
            raw = bytes(data_or_path)
            text = _decode(raw, where="bytes")
        elif hasattr(data_or_path, "read"):
            if hasattr(data_or_path, "seek"):
                try:
                    data_or_path.seek(0)
                except (OSError, ValueError):
                    pass  # a pipe or socket: read from where it is
            content = data_or_path.read()
            if isinstance(content, (bytes, bytearray)):
                raw = bytes(content)
                content = _decode(raw, where=getattr(data_or_path, "name", "file object"))
            if not isinstance(content, str):
                raise MediaTypeError(
                    f"Html: data_or_path: the file object's read() returned {describe(content)}; "
                    "expected str or bytes."
                )
            text = content
        else:
            raise MediaTypeError(
                "Html: data_or_path: expected a str of HTML, a file path, a file object or bytes; "
                f"got {describe(data_or_path)}."
            )
        self.wrapped = False
        self.charset_added = False
        if inject:
            text, self.wrapped, self.charset_added = _inject(text)
        self.text: str = text
        if (
            raw is not None
            and not (self.wrapped or self.charset_added)
            and raw.decode("utf-8-sig") == text
        ):
            self._bytes = raw
        else:
            try:
                self._bytes = text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise MediaValueError(
                    f"Html: data: expected valid Unicode text; got a string with a lone surrogate "
                    f"at position {exc.start} (as os.fsdecode returns for bytes that are not UTF-8)."
                ) from None

    def _serialize(self, writer: Any) -> dict[str, Any]:
        path = writer.write_bytes(self._bytes, ".html")
        stub: dict[str, Any] = {"_type": "html", "path": path, "size": len(self._bytes)}
        stub["wrapped"] = self.wrapped
        if self.charset_added:
            stub["charset_added"] = True
        return stub


def _looks_like_path(text: str) -> bool:
    return "<" not in text and "\n" not in text and text.strip().lower().endswith(HTML_EXTS)


def _read_file(path: str) -> bytes:
    if not os.path.exists(path):
        raise MediaValueError(
            f"Html: data_or_path: file not found: {path!r}. To log this text as HTML, pass "
            "data_is_not_path=True."
        )
    if not os.path.isfile(path):
        raise MediaValueError(f"Html: data_or_path: expected a file; got the folder {path!r}.")
    with open(path, "rb") as f:
        return f.read()


def _decode(raw: bytes, *, where: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MediaValueError(
            f"Html: {where}: expected UTF-8 text; got undecodable bytes at offset {exc.start}."
        ) from None


def _inject(text: str) -> tuple[str, bool, bool]:
    """Return ``(text, wrapped, charset_added)`` (see ``Html``)."""
    if not _HTML_TAG.search(text):
        return _DOC_HEAD + text + _DOC_TAIL, True, False
    if _CHARSET.search(text):
        return text, False, False
    meta = '<meta charset="utf-8">'
    head = _HEAD_TAG.search(text)
    if head:
        return text[: head.end()] + meta + text[head.end() :], False, True
    html = _HTML_OPEN.search(text)
    if html:
        return text[: html.end()] + "<head>" + meta + "</head>" + text[html.end() :], False, True
    return text, False, False  # "<html" without a closing ">": leave it alone
