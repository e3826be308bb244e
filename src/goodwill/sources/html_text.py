"""HTML fragments (HN comments, Mastodon statuses, feed summaries) to the plain text people read.

Stages judge words, not markup, so a post's text is what a reader sees:
paragraphs and line breaks become newlines, entities are decoded, links keep
their visible text, scripts and styles vanish. Lenient by design (stdlib
``html.parser``): unclosed tags and stray ``<`` never raise.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]

_BLOCKS = frozenset({"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
_HIDDEN = frozenset({"script", "style", "template"})
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n{3,}")
#: A ``<`` with another ``<`` (or the end) before any ``>`` can never open a tag. html.parser
#: rescans from each such ``<`` to the end, which is quadratic ("<a " * 50,000 took minutes);
#: escaping them first keeps parsing linear and shows them as the text they are.
_UNCLOSED = re.compile(r"<(?=[^<>]*(?:<|$))")
#: ``<![`` opens an SGML marked section; html.parser raises AssertionError on any keyword it does
#: not know (``<![CD`` cut short, ``<![x[``). HTML fragments hold none: show them as text.
_MARKED = re.compile(r"<!\[(?!CDATA\[)", re.IGNORECASE)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        self.parts.append(data if self.pre else _SPACES.sub(" ", data.replace("\n", " ")))


def html_to_text(fragment: str) -> str:
    """The readable text of an HTML fragment, trimmed; plain text passes through unchanged in words."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    parser = _Text()
    parser.feed(_MARKED.sub("&lt;![", _UNCLOSED.sub("&lt;", fragment)))
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
