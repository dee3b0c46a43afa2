"""Escaping text for Graphviz HTML-like labels and for the plain-text rendering.

Every label minigrad draws is an HTML-like label (``label=<...>``), so user text only ever
appears as XML character data: ``&``, ``<``, ``>`` and ``"`` become entities, every
non-ASCII character a numeric entity, and characters XML cannot hold (control characters,
lone surrogates) a visible ``\\xNN`` / ``\\uNNNN`` escape. Nothing a name contains can close
the label, add an attribute (``image=``, ``shapefile=``) or start a DOT statement.

Example:
    >>> html_text('a<b & "c"')
    'a&lt;b &amp; &quot;c&quot;'
"""

from __future__ import annotations

import re

__all__ = ["html_text", "plain_text", "html_lines"]

# Text that needs no escaping at all (the common case: fast path).
_HTML_PLAIN = re.compile(r"[ !#-%(-;=?-~]*")
_TEXT_PLAIN = re.compile(r"[ -\[\]-~]*")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def _xml_char_ok(cp: int) -> bool:
    # XML 1.0 Char production (tab is kept, newlines are handled by the caller).
    return cp == 0x9 or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


def _visible_escape(cp: int) -> str:
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


def html_text(text: str) -> str:
    """``text`` as pure-ASCII character data of an HTML-like label (one line)."""
    text = str(text)
    if _HTML_PLAIN.fullmatch(text):
        return text
    out = []
    for ch in str(text):
        cp = ord(ch)
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif 0x20 <= cp < 0x7F:
            out.append(ch)
        elif cp == 0x9:
            out.append(" ")
        elif _xml_char_ok(cp) and cp >= 0x7F and not 0x7F <= cp <= 0x9F:
            out.append(f"&#{cp};")
        else:  # control characters, DEL, C1 controls, surrogates, U+FFFE/U+FFFF
            out.append(_visible_escape(cp))
    return "".join(out)


def html_lines(lines: list[tuple[str, bool]] | list[str], align: str = "left") -> str:
    """Lines (``text`` or ``(text, bold)``) joined by ``<br/>``; each line's own newlines
    become further lines. Returns the inside of ``<...>``."""
    parts = []
    br = f'<br align="{align}"/>'
    for line in lines:
        text, bold = (line, False) if isinstance(line, str) else line
        for piece in str(text).split("\n"):
            body = html_text(piece) or " "
            parts.append(f"<b>{body}</b>" if bold else body)
            parts.append(br)
    return "".join(parts)


def plain_text(text: str) -> str:
    """``text`` on one line for the text rendering: control characters escaped as in repr."""
    text = str(text)
    if _TEXT_PLAIN.fullmatch(text):
        return text
    out = []
    for ch in str(text):
        cp = ord(ch)
        if ch == "\n":
            out.append("\\n")
        elif ch == "\\":
            out.append("\\\\")
        elif cp < 0x20 or 0x7F <= cp <= 0x9F or 0xD800 <= cp <= 0xDFFF or cp in (0x2028, 0x2029):
            # (U+2028/U+2029 end a line for str.splitlines too)
            out.append(_visible_escape(cp))
        else:
            out.append(ch)
    return "".join(out)
