"""A small, safe Markdown parser: text in, a tree of plain dicts out (no HTML is produced here).

The tree is turned into HTML by a Jinja2 template with autoescape on (``templates/report.html``),
so every character of the Markdown text reaches the page as text: ``<script>`` in a report shows
as ``<script>``. There is no raw-HTML passthrough, and links keep only safe schemes.

Supported: ATX (``#``) and setext (``===``/``---``) headings, paragraphs, hard line breaks (two
trailing spaces or a backslash), ``*em*``/``_em_``, ``**strong**``/``__strong__``, ```code```,
``[links](url "title")``, ``<https://autolinks>``, backslash escapes, bullet and ordered lists
(nested by indentation), GitHub pipe tables with alignment, fenced code blocks (``````` or
``~~~``), block quotes and thematic breaks. Not supported: raw HTML, indented code blocks,
images (shown as links), reference-style links, footnotes, LaTeX.

Block nodes (``t`` is the node type; ``line`` is the 1-based line in the source)::

    {"t": "heading", "level": 1..6, "id": slug, "inl": [...]}
    {"t": "para", "inl": [...]}
    {"t": "list", "ordered": bool, "start": int, "tight": bool, "items": [[blocks], ...]}
    {"t": "table", "align": ["left"|"right"|"center"|None], "head": [inl], "rows": [[inl]]}
    {"t": "code", "lang": str, "text": str, "lines": [(line, text)], "closed": bool}
    {"t": "quote", "blocks": [...]}
    {"t": "hr"}

Inline nodes: ``{"t": "text", "s"}``, ``{"t": "code", "s"}``, ``{"t": "em"|"strong", "c": [...]}``,
``{"t": "link", "href", "title", "c": [...]}``, ``{"t": "span", "c": [...]}`` (a link whose
URL was refused), ``{"t": "br"}``.

Example::

    from viewer.markdown import parse
    blocks = parse("# Title\\n\\nSome *text*.")
"""

from __future__ import annotations

import re
from typing import Any

Line = tuple[int, str]
Node = dict[str, Any]

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}> ?(.*)$")
_ITEM = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)(.*)$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_DELIM_CELL = re.compile(r"^\s*(:?)-+(:?)\s*$")
_SAFE_HREF = re.compile(r"^(?:https?://|mailto:|#|\.{0,2}/|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)>", re.IGNORECASE)
_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
BR = "\x00"  # hard line break marker inside paragraph text (NULs in the input become U+FFFD)


def parse(text: str) -> list[Node]:
    """Parse Markdown ``text`` into a list of block nodes (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd").expandtabs(4)
    lines = [(i, s) for i, s in enumerate(text.split("\n"), start=1)]
    blocks = _blocks(lines)
    _slug_ids(blocks, {})
    return blocks


def walk(blocks: list[Node]):
    """Every block node, depth first (list items and quotes included)."""
    for b in blocks:
        yield b
        if b["t"] == "quote":
            yield from walk(b["blocks"])
        elif b["t"] == "list":
            for item in b["items"]:
                yield from walk(item)


def plain_text(nodes: list[Node]) -> str:
    """The text of inline nodes, without markup."""
    out = []
    for n in nodes:
        if n["t"] in ("text", "code"):
            out.append(n["s"])
        elif n["t"] == "br":
            out.append(" ")
        else:
            out.append(plain_text(n["c"]))
    return "".join(out)


# ------------------------------------------------------------------------------------------------
# blocks
# ------------------------------------------------------------------------------------------------


def _is_blank(s: str) -> bool:
    return not s.strip()


def _starts_block(s: str) -> bool:
    """Does this line start a block that interrupts a paragraph?"""
    if _FENCE.match(s) or _ATX.match(s) or _HR.match(s) or _QUOTE.match(s):
        return True
    m = _ITEM.match(s)
    # an ordered item interrupts a paragraph only when it starts at 1, and never an empty item
    return bool(
        m and m.group(4).strip() and (not m.group(2)[0].isdigit() or m.group(2)[:-1] == "1")
    )


def _split_row(s: str) -> list[str]:
    s = s.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells, cur, i, in_code = [], [], 0, False
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] == "|":
            cur.append("|")
            i += 2
            continue
        if c == "`":
            in_code = not in_code
        if c == "|" and not in_code:
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    cells.append("".join(cur).strip())
    return cells


def _table_align(s: str) -> list[str | None] | None:
    if "-" not in s or not re.fullmatch(r"[\s|:\-]+", s):
        return None
    cells = _split_row(s)
    out: list[str | None] = []
    for c in cells:
        m = _DELIM_CELL.match(c)
        if not m:
            return None
        left, right = m.group(1), m.group(2)
        out.append("center" if left and right else "right" if right else "left" if left else None)
    return out


def _blocks(lines: list[Line]) -> list[Node]:
    out: list[Node] = []
    i, n = 0, len(lines)
    while i < n:
        no, s = lines[i]
        if _is_blank(s):
            i += 1
            continue
        m = _FENCE.match(s)
        if m:
            indent, fence, lang = len(m.group(1)), m.group(2), m.group(3)
            body: list[Line] = []
            closed = False
            i += 1
            while i < n:
                bno, b = lines[i]
                if re.match(
                    r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", b
                ):
                    closed = True
                    i += 1
                    break
                strip = min(indent, len(b) - len(b.lstrip(" ")))
                body.append((bno, b[strip:]))
                i += 1
            out.append(
                {
                    "t": "code",
                    "lang": lang,
                    "text": "\n".join(b for _, b in body),
                    "lines": body,
                    "closed": closed,
                    "line": no,
                }
            )
            continue
        m = _ATX.match(s)
        if m:
            out.append(
                {
                    "t": "heading",
                    "level": len(m.group(1)),
                    "inl": inline(m.group(2) or ""),
                    "line": no,
                }
            )
            i += 1
            continue
        if _HR.match(s):
            out.append({"t": "hr", "line": no})
            i += 1
            continue
        if _QUOTE.match(s):
            inner: list[Line] = []
            while i < n:
                qm = _QUOTE.match(lines[i][1])
                if qm:
                    inner.append((lines[i][0], qm.group(1)))
                elif (
                    inner
                    and not _is_blank(inner[-1][1])
                    and not _is_blank(lines[i][1])
                    and not _starts_block(lines[i][1])
                ):
                    inner.append(lines[i])  # lazy continuation of a quoted paragraph
                else:
                    break
                i += 1
            out.append({"t": "quote", "blocks": _blocks(inner), "line": no})
            continue
        if _ITEM.match(s):
            node, i = _list(lines, i)
            out.append(node)
            continue
        if i + 1 < n and "|" in s:
            align = _table_align(lines[i + 1][1])
            head = _split_row(s)
            if align is not None and len(align) == len(head):
                i += 2
                rows = []
                while (
                    i < n
                    and not _is_blank(lines[i][1])
                    and "|" in lines[i][1]
                    and not _starts_block(lines[i][1])
                ):
                    cells = _split_row(lines[i][1])
                    cells = (cells + [""] * len(head))[: len(head)]
                    rows.append([inline(c) for c in cells])
                    i += 1
                out.append(
                    {
                        "t": "table",
                        "align": align,
                        "head": [inline(c) for c in head],
                        "rows": rows,
                        "line": no,
                    }
                )
                continue
        # paragraph (or a setext heading)
        para = [s]
        i += 1
        level = 0
        while i < n:
            t = lines[i][1]
            sm = _SETEXT.match(t)
            if sm:
                level = 1 if sm.group(1)[0] == "=" else 2
                i += 1
                break
            if _is_blank(t) or _starts_block(t):
                break
            para.append(t)
            i += 1
        if level:
            out.append(
                {
                    "t": "heading",
                    "level": level,
                    "inl": inline(" ".join(p.strip() for p in para)),
                    "line": no,
                }
            )
        else:
            out.append({"t": "para", "inl": inline(_join_para(para)), "line": no})
    return out


def _join_para(para: list[str]) -> str:
    parts = []
    for k, p in enumerate(para):
        last = k == len(para) - 1
        text = p.strip() if last else p.lstrip()
        if not last and (
            p.endswith("  ")
            or (p.rstrip(" ").endswith("\\") and not p.rstrip(" ").endswith("\\\\"))
        ):
            text = text.rstrip(" ")
            if text.endswith("\\"):
                text = text[:-1]
            parts.append(text + BR)
        else:
            parts.append(text.rstrip(" ") + ("" if last else "\n"))
    return "".join(parts)


def _list(lines: list[Line], i: int) -> tuple[Node, int]:
    first = _ITEM.match(lines[i][1])
    assert first is not None
    marker = first.group(2)
    ordered = marker[0].isdigit()
    kind = marker[-1] if ordered else marker
    start = int(marker[:-1]) if ordered else 1
    items: list[list[Line]] = []
    tight = True
    n = len(lines)
    blank_before = False
    while i < n:
        m = _ITEM.match(lines[i][1])
        if not m:
            break
        mk = m.group(2)
        if (mk[-1] if mk[0].isdigit() else mk) != kind or mk[0].isdigit() != ordered:
            break
        if items and blank_before:
            tight = False
        spaces = len(m.group(3)) if m.group(4) else 1
        first_text = m.group(4)
        if spaces > 4:  # "-      text": the content starts one space after the marker
            first_text = " " * (spaces - 1) + first_text
            spaces = 1
        content_indent = len(m.group(1)) + len(mk) + spaces
        item: list[Line] = [(lines[i][0], first_text)]
        i += 1
        blank_before = False
        while i < n:
            no, s = lines[i]
            if _is_blank(s):
                item.append((no, ""))
                blank_before = True
                i += 1
                continue
            indent = len(s) - len(s.lstrip(" "))
            if indent >= content_indent:
                item.append((no, s[content_indent:]))
                blank_before = False
                i += 1
                continue
            if _ITEM.match(s):
                break  # the next item (or another list)
            if not blank_before and not _starts_block(s) and item and not _is_blank(item[-1][1]):
                item.append((no, s.strip()))  # lazy continuation line
                i += 1
                continue
            break
        # blank lines at the end of an item belong between items, not inside it
        while item and _is_blank(item[-1][1]):
            item.pop()
        if _has_gap(item):
            tight = False
        items.append(item)
        if not blank_before:
            continue
        if i < n and not _ITEM.match(lines[i][1]):
            break
    return {
        "t": "list",
        "ordered": ordered,
        "start": start,
        "tight": tight,
        "items": [_blocks(it) for it in items],
        "line": items[0][0][0] if items and items[0] else 0,
    }, i


def _has_gap(item: list[Line]) -> bool:
    """A blank line between two blocks of one item (not inside a fenced code block) makes a list loose."""
    seen_text = False
    gap = False
    in_fence = False
    for _, s in item:
        if _FENCE.match(s):
            in_fence = not in_fence
        if in_fence:
            continue
        if _is_blank(s):
            gap = seen_text
        else:
            if gap:
                return True
            seen_text = True
    return False


def _slug_ids(blocks: list[Node], used: dict[str, int]) -> None:
    for b in walk(blocks):
        if b["t"] != "heading":
            continue
        base = re.sub(r"[^\w]+", "-", plain_text(b["inl"]).lower()).strip("-") or "section"
        k = used.get(base, 0)
        used[base] = k + 1
        b["id"] = base if k == 0 else f"{base}-{k + 1}"


# ------------------------------------------------------------------------------------------------
# inlines
# ------------------------------------------------------------------------------------------------


def safe_href(href: str) -> str | None:
    """``href`` if its scheme is safe (http, https, mailto, relative, #anchor), else None."""
    href = href.strip()
    if not href or any(ord(c) < 32 for c in href):
        return None
    return href if _SAFE_HREF.match(href) else None


def inline(text: str) -> list[Node]:
    """Parse inline Markdown into inline nodes."""
    out: list[Node] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            if out and out[-1]["t"] == "text":
                out[-1]["s"] += "".join(buf)
            else:
                out.append({"t": "text", "s": "".join(buf)})
            buf.clear()

    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == BR:
            flush()
            out.append({"t": "br"})
            i += 1
            continue
        if c == "\\" and i + 1 < n and text[i + 1] in _PUNCT:
            buf.append(text[i + 1])
            i += 2
            continue
        if c == "`":
            run = _run_len(text, i, "`")
            end = _find_code_close(text, i + run, run)
            if end >= 0:
                code = text[i + run : end].replace("\n", " ").replace(BR, " ")
                if len(code) > 2 and code[0] == " " and code[-1] == " " and code.strip():
                    code = code[1:-1]
                flush()
                out.append({"t": "code", "s": code})
                i = end + run
                continue
            buf.append("`" * run)
            i += run
            continue
        if c == "<":
            m = _AUTOLINK.match(text, i)
            if m:
                flush()
                out.append(
                    {
                        "t": "link",
                        "href": m.group(1),
                        "title": None,
                        "c": [{"t": "text", "s": m.group(1)}],
                    }
                )
                i = m.end()
                continue
        if c == "!" and i + 1 < n and text[i + 1] == "[":
            buf.append("!")  # images are shown as links (a report page loads nothing from outside)
            i += 1
            continue
        if c == "[":
            link = _link(text, i)
            if link:
                node, end = link
                flush()
                out.append(node)
                i = end
                continue
        if c in "*_":
            em = _emphasis(text, i)
            if em:
                node, end = em
                flush()
                out.append(node)
                i = end
                continue
            run = _run_len(text, i, c)
            buf.append(c * run)
            i += run
            continue
        buf.append(c)
        i += 1
    flush()
    return out


def _run_len(text: str, i: int, c: str) -> int:
    j = i
    while j < len(text) and text[j] == c:
        j += 1
    return j - i


def _find_code_close(text: str, j: int, run: int) -> int:
    while j < len(text):
        k = text.find("`" * run, j)
        if k < 0:
            return -1
        if _run_len(text, k, "`") == run:
            return k
        j = k + _run_len(text, k, "`")
    return -1


def _skip(text: str, j: int) -> int:
    """Index after a code span or backslash escape starting at j (or j + 1)."""
    if text[j] == "\\":
        return j + 2
    if text[j] == "`":
        run = _run_len(text, j, "`")
        end = _find_code_close(text, j + run, run)
        return end + run if end >= 0 else j + run
    return j + 1


def _link(text: str, i: int) -> tuple[Node, int] | None:
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c in "\\`":
            j = _skip(text, j)
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                break
        j += 1
    else:
        return None
    if j + 1 >= len(text) or text[j + 1] != "(":
        return None
    m = re.compile(
        r"\(\s*(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)"
        r"(?:\s+(\"[^\"]*\"|'[^']*'))?\s*\)"
    ).match(text, j + 1)
    if not m:
        return None
    href = m.group(1)
    if href.startswith("<"):
        href = href[1:-1]
    title = m.group(2)[1:-1] if m.group(2) else None
    label = inline(text[i + 1 : j])
    safe = safe_href(href)
    if safe is None:
        return {
            "t": "span",
            "c": label,
        }, m.end()  # an unsafe link (javascript:, data:) is plain text
    return {"t": "link", "href": safe, "title": title, "c": label}, m.end()


def _emphasis(text: str, i: int) -> tuple[Node, int] | None:
    c = text[i]
    run = _run_len(text, i, c)
    after = text[i + run] if i + run < len(text) else " "
    before = text[i - 1] if i > 0 else " "
    if after.isspace() or after == BR:
        return None
    if c == "_" and before.isalnum():
        return None  # snake_case stays as it is
    for width in (2, 1) if run >= 2 else (1,):
        j = i + width
        while j < len(text):
            ch = text[j]
            if ch in "\\`":
                j = _skip(text, j)
                continue
            if ch == c:
                r = _run_len(text, j, c)
                prev = text[j - 1]
                nxt = text[j + r] if j + r < len(text) else " "
                ok = r >= width and not prev.isspace() and j > i + width
                if c == "_" and nxt.isalnum():
                    ok = False
                if ok:
                    close = j + r - width  # the last `width` characters of the run close it
                    inner = text[i + width : close]
                    if inner.strip():
                        return {
                            "t": "strong" if width == 2 else "em",
                            "c": inline(inner),
                        }, close + width
                j += r
                continue
            j += 1
    return None
