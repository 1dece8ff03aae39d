"""Markdown for reports: markdown-it-py (CommonMark, plus GitHub tables) in, a tree of plain dicts
out. No HTML is produced here.

The tree is turned into HTML by a Jinja2 template with autoescape on (``templates/report.html``),
so every character of the Markdown text reaches the page as text: raw HTML is off in the parser
(``<script>`` in a report shows as ``<script>``), and links keep only safe schemes
(``safe_href``; a refused link becomes a ``span``). ``mediaboard`` fenced blocks are taken from
the token stream with their line numbers, so report errors still name file and line.

Supported: everything CommonMark has (ATX and setext headings, paragraphs, hard breaks, emphasis
and strong emphasis, code spans, links and autolinks, entities, backslash escapes, bullet and
ordered lists, fenced and indented code, block quotes, thematic breaks) and GitHub pipe tables.
Images are shown as links to the image. Raw HTML is shown as text.

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
from functools import lru_cache
from typing import Any

Node = dict[str, Any]

_SAFE_HREF = re.compile(r"^(?:https?://|mailto:|#|\.{0,2}/|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


@lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    # Every link is parsed as a link; safe_href (below) decides what stays clickable, so a refused
    # one still shows its text (as a span) instead of its raw Markdown.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def parse(text: str) -> list[Node]:
    """Parse Markdown ``text`` into a list of block nodes (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    tokens = _parser().parse(text)
    source = text.split("\n")
    blocks, _ = _blocks(tokens, 0, None, source)
    _slug_ids(blocks, {})
    return blocks


def inline(text: str) -> list[Node]:
    """Parse inline Markdown into inline nodes."""
    tokens = _parser().parseInline(text.replace("\x00", "\ufffd"))
    return _inlines(tokens[0].children or []) if tokens else []


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


def safe_href(href: str) -> str | None:
    """``href`` if its scheme is safe (http, https, mailto, relative, #anchor), else None."""
    href = href.strip()
    if not href or any(ord(c) < 32 for c in href):
        return None
    return href if _SAFE_HREF.match(href) else None


# ------------------------------------------------------------------------------------------------
# tokens -> nodes
# ------------------------------------------------------------------------------------------------


def _line(tok: Any) -> int:
    return tok.map[0] + 1 if tok.map else 0


def _blocks(tokens: list[Any], i: int, close: str | None, source: list[str]) -> tuple[list[Node], int]:
    """Block nodes from ``tokens[i:]`` up to the token of type ``close``; returns (nodes, index
    after it)."""
    out: list[Node] = []
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if close is not None and t == close:
            return out, i + 1
        if t == "heading_open":
            out.append({"t": "heading", "level": int(tok.tag[1]), "inl": _inlines(tokens[i + 1].children or []),
                        "line": _line(tok)})
            i += 3
        elif t == "paragraph_open":
            out.append({"t": "para", "inl": _inlines(tokens[i + 1].children or []), "line": _line(tok)})
            i += 3
        elif t in ("bullet_list_open", "ordered_list_open"):
            node, i = _list(tokens, i, source)
            out.append(node)
        elif t == "blockquote_open":
            inner, i = _blocks(tokens, i + 1, "blockquote_close", source)
            out.append({"t": "quote", "blocks": inner, "line": _line(tok)})
        elif t in ("fence", "code_block"):
            out.append(_code(tok, source))
            i += 1
        elif t == "hr":
            out.append({"t": "hr", "line": _line(tok)})
            i += 1
        elif t == "table_open":
            node, i = _table(tokens, i)
            out.append(node)
        elif t == "html_block":  # not produced with html off; shown as text if it ever is
            out.append({"t": "para", "inl": [{"t": "text", "s": tok.content.rstrip("\n")}],
                        "line": _line(tok)})
            i += 1
        else:
            i += 1
    return out, i


def _list(tokens: list[Any], i: int, source: list[str]) -> tuple[Node, int]:
    tok = tokens[i]
    ordered = tok.type == "ordered_list_open"
    close = "ordered_list_close" if ordered else "bullet_list_close"
    start = int(tok.attrGet("start") or 1) if ordered else 1
    items: list[list[Node]] = []
    tight = True
    i += 1
    while tokens[i].type != close:
        if tokens[i].type == "list_item_open":
            j = i + 1
            depth = 0
            while not (tokens[j].type == "list_item_close" and depth == 0):  # tight: hidden paras
                if tokens[j].type == "paragraph_open" and depth == 0 and not tokens[j].hidden:
                    tight = False
                if tokens[j].type in ("bullet_list_open", "ordered_list_open"):
                    depth += 1
                elif tokens[j].type in ("bullet_list_close", "ordered_list_close"):
                    depth -= 1
                j += 1
            item, i = _blocks(tokens, i + 1, "list_item_close", source)
            items.append(item)
        else:
            i += 1
    return {"t": "list", "ordered": ordered, "start": start, "tight": tight, "items": items,
            "line": _line(tok)}, i + 1


def _code(tok: Any, source: list[str]) -> Node:
    text = tok.content[:-1] if tok.content.endswith("\n") else tok.content
    first = tok.map[0] if tok.map else 0
    if tok.type == "fence":
        lang = (tok.info or "").strip().split()[0] if (tok.info or "").strip() else ""
        body_start = first + 2  # 1-based line of the first content line
        closed = False
        if tok.map and tok.map[1] - 1 > first:
            last = source[tok.map[1] - 1].strip() if tok.map[1] - 1 < len(source) else ""
            last = last.lstrip(">").strip()
            closed = bool(last) and set(last) == {tok.markup[0]} and len(last) >= len(tok.markup)
    else:
        lang, body_start, closed = "", first + 1, True
    lines = [(body_start + k, s) for k, s in enumerate(text.split("\n"))] if text else []
    return {"t": "code", "lang": lang, "text": text, "lines": lines, "closed": closed,
            "line": first + 1}


def _table(tokens: list[Any], i: int) -> tuple[Node, int]:
    line = _line(tokens[i])
    head: list[list[Node]] = []
    rows: list[list[list[Node]]] = []
    align: list[str | None] = []
    row: list[list[Node]] | None = None
    in_head = False
    i += 1
    while tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            if in_head:
                head = row or []
            else:
                rows.append(row or [])
        elif tok.type in ("th_open", "td_open"):
            if in_head:
                m = _ALIGN.search(tok.attrGet("style") or "")
                align.append(m.group(1) if m else None)
            cell = tokens[i + 1]
            assert row is not None
            row.append(_inlines(cell.children or []) if cell.type == "inline" else [])
        i += 1
    return {"t": "table", "align": align, "head": head, "rows": rows, "line": line}, i + 1


def _inlines(tokens: list[Any]) -> list[Node]:
    out: list[Node] = []
    stack: list[tuple[Node, list[Node]]] = []
    cur = out

    def text(s: str) -> None:
        if cur and cur[-1]["t"] == "text":
            cur[-1]["s"] += s
        elif s:
            cur.append({"t": "text", "s": s})

    for tok in tokens:
        t = tok.type
        if t in ("text", "text_special", "html_inline"):
            text(tok.content)
        elif t == "softbreak":
            text("\n")
        elif t == "hardbreak":
            cur.append({"t": "br"})
        elif t == "code_inline":
            cur.append({"t": "code", "s": tok.content})
        elif t in ("em_open", "strong_open"):
            node: Node = {"t": t[:-5], "c": []}
            cur.append(node)
            stack.append((node, cur))
            cur = node["c"]
        elif t == "link_open":
            href = safe_href(tok.attrGet("href") or "")
            node = ({"t": "link", "href": href, "title": tok.attrGet("title") or "", "c": []}
                    if href is not None else {"t": "span", "c": []})
            cur.append(node)
            stack.append((node, cur))
            cur = node["c"]
        elif t in ("em_close", "strong_close", "link_close"):
            if stack:
                _, cur = stack.pop()
        elif t == "image":  # shown as a link to the image, its alt text as the label
            href = safe_href(tok.attrGet("src") or "")
            label = _inlines(tok.children or []) or [{"t": "text", "s": tok.attrGet("src") or ""}]
            cur.append({"t": "link", "href": href, "title": tok.attrGet("title") or "", "c": label}
                       if href is not None else {"t": "span", "c": label})
    return out


def _slug_ids(blocks: list[Node], used: dict[str, int]) -> None:
    for b in walk(blocks):
        if b["t"] != "heading":
            continue
        base = re.sub(r"[^\w]+", "-", plain_text(b["inl"]).lower()).strip("-") or "section"
        k = used.get(base, 0)
        used[base] = k + 1
        b["id"] = base if k == 0 else f"{base}-{k + 1}"
