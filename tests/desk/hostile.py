"""A corpus of hostile post texts, author names and URLs, and a checker for what reached the HTML."""

from __future__ import annotations

from html.parser import HTMLParser

TEXTS = [
    "<script>document.title='pwned-script'</script> help @acmebank?",
    "<img src=x onerror=\"document.title='pwned-img'\"> @acmebank question?",
    "<svg/onload=document.title='pwned-svg'> @acmebank?",
    "\"><script>document.title='pwned-attr'</script> @acmebank?",
    "</textarea><script>document.title='pwned-textarea'</script> @acmebank?",
    "<a href=\"javascript:document.title='pwned-link'\">click</a> @acmebank?",
    "<iframe srcdoc=\"<script>parent.document.title='pwned-frame'</script>\"></iframe> @acmebank?",
    '<div hx-get="/logout" hx-trigger="load">htmx attack</div> @acmebank?',
    "{{ 7*7 }} {% raw %} ${7*7} <b unclosed <i>broken <!-- comment @acmebank?",
    "<style>body{display:none}</style><math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]
NAMES = [
    "<script>document.title='pwned-name'</script>",
    "\" onmouseover=\"document.title='pwned-name-attr'",
    "<img src=x onerror=alert(1)>",
]
HANDLES = ['evil"><svg onload=alert(1)>', "<b>bold</b>"]
URLS = [
    "javascript:document.title='pwned-url'",
    " JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    'https://x.example/"><script>alert(1)</script>',
    "vbscript:msgbox(1)",
]
#: Anything a payload could make the page do shows up as one of these in the parsed HTML.
OUR_SCRIPTS = {"/static/vendor/htmx.min.js", "/static/desk.js"}
ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "link",
    "script",
    "body",
    "a",
    "header",
    "nav",
    "span",
    "form",
    "input",
    "button",
    "main",
    "section",
    "h1",
    "h2",
    "h3",
    "p",
    "label",
    "select",
    "option",
    "optgroup",
    "div",
    "ol",
    "ul",
    "li",
    "strong",
    "article",
    "q",
    "textarea",
    "aside",
    "dl",
    "dt",
    "dd",
    "cite",
    "code",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


#: what the insight charts draw with (inline SVG from goodwill.insights.charts)
SVG_TAGS = {"svg", "title", "text", "rect", "line", "path", "circle"}


class _Collector(HTMLParser):
    def __init__(self, allowed: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.allowed = allowed

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.allowed:
            self.problems.append(f"unexpected <{tag}>")
        values = dict(attrs)
        if tag == "script" and values.get("src") not in OUR_SCRIPTS:
            self.problems.append(f"script not ours: {attrs}")
        for name, value in attrs:
            if name.startswith("on") or (
                name in ("srcdoc", "style", "formaction") and value and "javascript" in value
            ):
                self.problems.append(f"<{tag} {name}=...>")
            if name.startswith("on"):
                continue
            if name.startswith("hx-") and name not in (
                "hx-get",
                "hx-post",
                "hx-target",
                "hx-trigger",
                "hx-push-url",
                "hx-headers",
            ):
                self.problems.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and value is not None:
                low = value.strip().lower()
                if not (low.startswith(("/", "#", "https://", "http://")) or low == ""):
                    self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "a" and values.get("target") == "_blank" and values.get("rel") != "noopener nofollow ugc":
            self.problems.append(f"external link without rel: {attrs}")
        if (
            tag == "a"
            and (values.get("href") or "").startswith("http")
            and values.get("rel") != "noopener nofollow ugc"
        ):
            self.problems.append(f"external link without rel: {attrs}")


def problems_in(html: str, *, extra_tags: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """What in ``html`` could run or lead somewhere it should not (empty: clean)."""
    collector = _Collector(ALLOWED_TAGS | set(extra_tags))
    collector.feed(html)
    collector.close()
    return collector.problems
