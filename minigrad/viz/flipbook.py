"""A stepper without a kernel: every frame in one self-contained HTML flipbook.

A stepper widget moves only while a kernel runs it. Its ``text/html`` representation is this
flipbook instead: all frames, and a few lines of inline JavaScript that give the widget's
controls (play, previous / next, a slider, the arrow keys). It loads nothing from the network,
so it steps in a saved notebook, in the offline static site, in nbviewer or in VS Code.

Size: frames share most of their text (one graph, a few labels and colours changed), so they
are stored packed by :func:`pack`, a small LZ77: a copy ``~<distance><length>`` stands for text
already seen, ``~.<length>`` for a copy at the same distance as the last one. Its output is the
same on every machine (plain Python, no zlib), so strict nbval can compare it.

Without scripts (GitHub, an untrusted notebook) the static part shows instead: every frame
one under the other (a filmstrip) when that fits the size budget, otherwise the first frame
and each frame's caption, or the captions alone.

Math: a flipbook of n frames stores packed(f₀ + f₁ + … + fₙ), typically a fifth of the text.

Example:
    >>> html = flipbook(["<p>a</p>", "<p>b</p>"])
    >>> unpack(pack("abcabcabc")) == "abcabcabc"
    True
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

__all__ = ["flipbook", "pack", "unpack", "BUDGET"]

# Digits of the packed numbers: 5 bits each; the upper half of the alphabet means "more follow".
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_MIN = 6  # the shortest copy (a copy costs 3 to 6 characters)
_CHAIN = 32  # earlier positions tried per hash key: deeper is slower and barely smaller
_GOOD = 128  # a copy this long is taken without looking further
_SEP = "\x00"  # between frames in the packed text (never in HTML)
# The size a flipbook aims to stay under (bytes of HTML): the static part is cut to fit.
BUDGET = 100_000


def _number(v: int) -> str:
    chunks = [v & 31]
    while v > 31:
        v >>= 5
        chunks.append(v & 31)
    return "".join(_DIGITS[c + 32] for c in reversed(chunks[1:])) + _DIGITS[chunks[0]]


def pack(text: str) -> str:
    """``text`` as literals and copies of earlier text (greedy LZ77 with one-step lazy match).

    Example:
        >>> pack("abcdefabcdefabcdef")
        'abcdef~60~.0'
    """
    out: list[str] = []
    chains: dict[str, list[int]] = {}
    n, i, literal_from, last = len(text), 0, 0, 0

    def longest(i: int) -> tuple[int, int]:
        """(length, distance) of the best earlier copy of text[i:], preferring the last
        distance (its copy is 3 characters shorter)."""
        key = text[i : i + _MIN]
        cand = chains.get(key)
        if not cand:
            return 0, 0
        best, best_d, best_score = 0, 0, 0
        rep = i - last
        tried = [rep] if last and rep >= 0 and text[rep : rep + _MIN] == key else []
        for p in tried + cand[: -_CHAIN - 1 : -1]:
            d = i - p
            if d < _MIN:  # a copy may not overlap the text it makes
                continue
            length, limit = _MIN, min(n - i, d)
            while (
                length + 32 <= limit
                and text[p + length : p + length + 32] == text[i + length : i + length + 32]
            ):  # 32 characters at a time, then one by one
                length += 32
            while length < limit and text[p + length] == text[i + length]:
                length += 1
            score = length + (3 if d == last else 0)
            if score > best_score:
                best, best_d, best_score = length, d, score
                if length >= _GOOD:
                    break
        return best, best_d

    def remember(start: int, stop: int) -> None:
        for q in range(start, stop):
            chains.setdefault(text[q : q + _MIN], []).append(q)

    while i < n:
        length, d = longest(i)
        if length and i + 1 < n:  # a longer copy one character later is worth a literal
            remember(i, i + 1)
            later, later_d = longest(i + 1)
            if later > length + 1:
                i, length, d = i + 1, later, later_d
            else:
                chains[text[i : i + _MIN]].pop()
        if not length:
            remember(i, i + 1)
            i += 1
            continue
        out.append(text[literal_from:i].replace("~", "~~"))
        out.append("~" + ("." if d == last else _number(d)) + _number(length - _MIN))
        last = d
        remember(i, i + length)
        i += length
        literal_from = i
    out.append(text[literal_from:].replace("~", "~~"))
    return "".join(out)


def unpack(packed: str) -> str:
    """The inverse of :func:`pack` (the flipbook's script does the same in JavaScript)."""
    out, i, last = "", 0, 0

    def number() -> int:
        nonlocal i
        v = 0
        while True:
            c = _DIGITS.index(packed[i])
            i += 1
            v = v * 32 + (c & 31)
            if c < 32:
                return v

    while i < len(packed):
        k = packed.find("~", i)
        k = len(packed) if k < 0 else k
        out += packed[i:k]
        i = k + 1
        if k >= len(packed):
            break
        if packed[i] == "~":
            out += "~"
            i += 1
            continue
        if packed[i] == ".":
            i += 1
            d = last
        else:
            d = number()
        length = number() + _MIN
        start = len(out) - d
        out += out[start : start + length]
        last = d
    return out


# The player: unpack the frames, hide the static part, add the controls. `currentScript`
# finds this flipbook; where scripts run detached from it (classic Notebook) the first
# flipbook with this key not yet started is taken, so two identical ones both work.
_SCRIPT = """(function(){
var s=document.currentScript,r=s&&s.closest&&s.closest(".mg-flipbook");
if(!r||r.dataset.ready)r=document.querySelector('.mg-flipbook[data-key="@KEY@"]:not([data-ready])');
if(!r)return;r.dataset.ready="1";
var D="@DIGITS@",e=@DATA@.replace(/["']/g,function(c){return c=='"'?"'":'"'}),o="",i=0,l=0;
function num(){var v=0,c;do{c=D.indexOf(e[i++]);v=v*32+(c&31)}while(c>31);return v}
while(i<e.length){var k=e.indexOf("~",i);if(k<0)k=e.length;o+=e.slice(i,k);i=k+1;if(k>=e.length)break;
if(e[i]=="~"){o+="~";i++;continue}var d=e[i]=="."?(i++,l):num(),n=num()+@MIN@,a=o.length-d;o+=o.slice(a,a+n);l=d}
var F=o.split("\\0"),N=F.length-1,at=0,t=null,b=document.createElement("div");
b.innerHTML='<div style="display:flex;align-items:center;gap:6px;flex-wrap:wrap">'+
'<button type="button" title="play">\\u25B6 play</button><button type="button" title="previous step">\\u25C0</button>'+
'<input type="range" min="0" max="'+N+'" step="1" style="width:320px" aria-label="step">'+
'<button type="button" title="next step">\\u25B6</button><span></span></div><div></div>';
var B=b.querySelectorAll("button"),R=b.querySelector("input"),L=b.querySelector("span"),V=b.lastChild;
function show(j){at=Math.max(0,Math.min(N,j));R.value=at;L.textContent="step "+at+" / "+N;V.innerHTML=F[at];r.dataset.step=at}
function stop(){if(t)clearInterval(t);t=null;B[0].textContent="\\u25B6 play"}
B[0].onclick=function(){if(t)return stop();if(at>=N)show(0);B[0].textContent="\\u2016 pause";
t=setInterval(function(){if(at>=N)stop();else show(at+1)},@INTERVAL@)};
B[1].onclick=function(){stop();show(at-1)};B[2].onclick=function(){stop();show(at+1)};
R.oninput=function(){stop();show(+R.value)};
r.addEventListener("keydown",function(v){var m={ArrowLeft:-1,ArrowRight:1,Home:-N,End:N}[v.key];
if(!m||v.altKey||v.ctrlKey||v.metaKey)return;v.preventDefault();v.stopPropagation();stop();show(at+m)});
r.querySelector(".mg-flipbook-static").style.display="none";r.appendChild(b);show(@START@)})();"""


def _script_string(text: str) -> str:
    """``text`` as a JavaScript string literal that is safe inside ``<script>``.

    Quotes are swapped first (the script swaps them back): attribute quotes, the commonest
    character to escape, then cost nothing here nor in the notebook's JSON.
    """
    swapped = text.translate(str.maketrans({'"': "'", "'": '"'}))
    literal = json.dumps(swapped, ensure_ascii=False)
    return re.sub(r"<(?=!--|/script)", r"<\\", literal, flags=re.IGNORECASE)


def _frame(frames: Sequence[str], k: int) -> str:
    return f'<div class="mg-flipbook-frame"><p><b>step {k} / {len(frames) - 1}</b></p>{frames[k]}</div>'


def _static_parts(frames: Sequence[str], start: int, captions: Sequence[str]) -> list[str]:
    """What may show without scripts, richest first: every frame one under the other (a
    filmstrip); the first frame and the list of captions; the captions alone."""
    steps = "".join(f"<li>{c}</li>" for c in captions)
    listed = f'<p>All {len(frames)} frames:</p><ol start="0">{steps}</ol>' if captions else ""
    return [
        "".join(_frame(frames, k) for k in range(len(frames))),
        _frame(frames, start) + listed,
        listed,
    ]


def flipbook(
    frames: Sequence[str],
    *,
    start: int = 0,
    interval: int = 1000,
    captions: Sequence[str] = (),
) -> str:
    """A self-contained HTML flipbook over ``frames`` (each an HTML fragment).

    Args:
        frames: the HTML of each frame, exactly as it should be shown.
        start: the frame shown first.
        interval: milliseconds between frames when playing.
        captions: one short HTML line per frame, listed where scripts do not run.

    The static part (shown where scripts do not run) is the richest of :func:`_static_parts`
    that keeps the whole under :data:`BUDGET` bytes. The result depends on the arguments only
    (no ids, no time): the same frames give the same bytes.

    Example:
        >>> flipbook(["<p>a</p>", "<p>b</p>"]).startswith('<div class="mg-flipbook"')
        True
    """
    if not frames:
        raise ValueError("flipbook needs at least one frame")
    if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start < len(frames):
        raise ValueError(f"start must be an int from 0 to {len(frames) - 1}, got {start!r}")
    if captions and len(captions) != len(frames):
        raise ValueError(f"{len(captions)} captions for {len(frames)} frames")
    if any(_SEP in f for f in frames):
        raise ValueError("a frame contains a NUL character")
    data = _script_string(pack(_SEP.join(frames)))
    key = hashlib.sha1(data.encode()).hexdigest()[:12]  # same frames, same key: deterministic
    script = (
        _SCRIPT.replace("@KEY@", key)
        .replace("@DIGITS@", _DIGITS)
        .replace("@MIN@", str(_MIN))
        .replace("@INTERVAL@", str(int(interval)))
        .replace("@START@", str(start))
        .replace("@DATA@", data)  # last: the data may contain any of the markers above
    )
    for static in _static_parts(frames, start, captions):
        page = (
            f'<div class="mg-flipbook" data-key="{key}" tabindex="0" '
            'title="arrow keys: previous / next frame">'
            f'<div class="mg-flipbook-static">{static}</div><script>{script}</script></div>'
        )
        if len(page.encode()) <= BUDGET:
            break
    return page
