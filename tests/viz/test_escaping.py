"""Labels are escaped: no user text can add DOT attributes, statements or SVG markup.

Hypothesis generates hostile names (quotes, ``<>&``, braces, ``|``, backslashes, newlines,
control and non-ASCII characters, DOT/HTML fragments); every diagram must keep its exact
statement structure, stay pure ASCII, and render to SVG with exactly the nodes we drew.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.viz import backward_graph, forward_graph, second_order_graph
from minigrad.viz._escape import html_text, plain_text

HOSTILE = [
    '"] [image="/etc/passwd',
    '> image="x.png" <',
    '</b></TD></TR><TR><TD><IMG SRC="/etc/passwd"/>',
    '}\nn99 [shapefile="/etc/passwd"]\n{',
    'a\\"; b [label=x]',
    "\\N\\G\\L\\E",
    "<script>alert(1)</script>",
    "&amp;&#60;&lt",
    "{a|b|{c}}",
    "x\ny\r\nz\tw",
    "\x00\x07\x1b[31m\x7f\x85",
    "\ud800 lone surrogate",
    "λ → ∂ 😀 é \u2028 \u2029",
    "]]>",
    "",
]

names = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))

# Every line of the DOT is one of the statement shapes minigrad writes.
LABEL = r'<(?:[^<>]|<b>|</b>|<br align="left"/>)*>'
ATTRS = r'(?: [a-z]+="[A-Za-z0-9_.,:# -]*")*'
STATEMENT = re.compile(
    "|".join(
        [
            r"digraph \{",
            r"\}",
            r"\tgraph \[rankdir=(?:TB|LR|BT) size=\"12,12\"\]",
            r"\t\t?\{rank=same; (?:n\d+; )*n\d+\}",
            r"\tnode \[[^\]\"<>]*\]",
            r"\tedge \[[^\]\"<>]*\]",
            rf"\tlabel={LABEL} labelloc=\"t\" labeljust=\"l\" fontname=\"Courier\" fontsize=\"10\"",
            rf"\t\tlabel={LABEL} style=\"rounded,dashed\" fontname=\"Courier\" fontsize=\"10\"",
            r"\tsubgraph cluster_\d+ \{",
            r"\t\}",
            rf"\t\t?n\d+ \[label={LABEL}{ATTRS}\]",
            rf"\tn\d+ -> n\d+(?: \[(?:label={LABEL})? ?{ATTRS.replace('(?: ', '(?: ?')}\])?",
        ]
    )
)


def check_structure(source: str) -> None:
    assert source.isascii()
    for line in source.splitlines():
        assert STATEMENT.fullmatch(line), f"unexpected DOT line: {line!r}"
    # outside label text (where it is harmless character data) no image/shapefile/img
    lowered = re.sub(LABEL, "<>", source).lower()
    assert "image=" not in lowered and "shapefile=" not in lowered and "<img" not in lowered


def check_svg(d) -> None:
    svg = d.svg()
    assert svg.count('class="node"') == len(re.findall(r"^n\d+ \[", d.text, flags=re.M))
    assert "<script" not in svg.lower() and "<image" not in svg.lower()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=names, b=names, caption=names)
def test_hostile_names_cannot_inject(a, b, caption):
    from minigrad.viz import Overlay

    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True, name=b)
    out = (x * y) ** 2
    ov = Overlay(
        node_notes={out.grad_fn: a},
        edge_labels={(out.grad_fn, 0): b},
        caption=caption,
    )
    d = backward_graph(out, params={a: x}, show_saved=True, show_values=True, overlay=ov)
    check_structure(d.source)
    check_svg(d)
    # the text rendering keeps one node per line whatever the names contain
    header = 2 if caption else 1
    assert len(d.text.splitlines()) == len(re.findall(r"\n(?:n\d+ \[|  -[->] )", d.text)) + header


@settings(max_examples=20, deadline=None)
@given(a=names, b=names)
def test_hostile_names_in_forward_and_second_order(a, b):
    x = mg.tensor(2.0, requires_grad=True, name=a)
    y = mg.tensor(3.0, requires_grad=True, name=b)
    out = (x * y) ** 2
    for d in (forward_graph(out), second_order_graph(out, (x, y))):
        check_structure(d.source)
        check_svg(d)


def test_escaping_rules():
    assert html_text('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
    assert html_text("λ") == "&#955;"
    assert html_text("\x00\x1b") == "\\x00\\x1b"
    assert html_text("\ud800") == "\\ud800"
    assert html_text("{a|b}\\") == "{a|b}\\"  # literal in HTML-like labels
    assert plain_text("a\nb\\") == "a\\nb\\\\"


def test_hostile_name_is_shown_as_text():
    x = mg.tensor(2.0, requires_grad=True, name='<b>"bold"</b> & {x|y}')
    d = backward_graph(x * 2)
    svg = d.svg()
    assert "&lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; {x|y}" in svg
    assert '<b>"bold"</b> & {x|y}' in d.text
