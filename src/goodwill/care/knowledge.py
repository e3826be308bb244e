"""The knowledge base: a folder of Markdown files, split into sections an agent can cite.

A care team already writes its answers down (help articles, macros, outage
notes). goodwill reads them as they are: every ``*.md`` file under the folder,
split at its headings, so a suggestion can say exactly where it came from
("refunds.md > Card payments > Charged twice"). ATX headings (``## Title``)
and setext headings (``Title`` over ``===`` or ``---``) both count; headings
inside fenced code blocks and a YAML front matter block do not. A heading with
no text of its own under it (only subsections) yields no section; one with a
short text and subsections is marked as an overview (``has_subsections``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from goodwill.errors import InputError

__all__ = ["Section", "load_knowledge_base", "split_markdown"]

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Section:
    """One headed piece of a knowledge-base file."""

    #: the file, relative to the knowledge-base folder, with forward slashes
    path: str
    #: the heading and its parents, outermost first (empty for text before the first heading)
    headings: tuple[str, ...]
    #: the section's own text, without its heading
    text: str
    #: whether subsections follow under this heading (its text is then usually an overview)
    has_subsections: bool = False

    @property
    def heading(self) -> str:
        return " > ".join(self.headings)

    @property
    def anchor(self) -> str:
        """The link fragment most Markdown renderers give the innermost heading."""
        if not self.headings:
            return ""
        slug = unicodedata.normalize("NFKC", self.headings[-1]).lower()
        slug = re.sub(r"[^\w\- ]", "", slug)
        return slug.strip().replace(" ", "-")

    @property
    def cite(self) -> str:
        return f"{self.path} > {self.heading}" if self.headings else self.path


def split_markdown(text: str, *, path: str = "") -> list[Section]:
    """Split one Markdown document at its headings."""
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."}), None)
        if end is not None:
            lines = lines[end + 1 :]
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []
    fence: str | None = None

    def flush() -> None:
        content = "\n".join(body).strip()
        if content:
            sections.append(Section(path=path, headings=tuple(h for _, h in stack), text=content))
        body.clear()

    def open_heading(level: int, title: str) -> None:
        flush()
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))

    for line in lines:
        fenced = _FENCE.match(line)
        if fence is not None:
            body.append(line)
            if fenced and fenced.group(1)[0] == fence[0] and len(fenced.group(1)) >= len(fence):
                fence = None
            continue
        if fenced:
            fence = fenced.group(1)
            body.append(line)
            continue
        atx = _ATX.match(line)
        if atx:
            open_heading(len(atx.group(1)), (atx.group(2) or "").strip())
            continue
        setext = _SETEXT.match(line)
        if setext and body and body[-1].strip() and not _is_list_or_quote(body[-1]):
            title = body.pop().strip()
            open_heading(1 if setext.group(1)[0] == "=" else 2, title)
            continue
        body.append(line)
    flush()
    return [replace(s, has_subsections=True) if _has_children(s, sections) else s for s in sections]


def _has_children(section: Section, sections: list[Section]) -> bool:
    depth = len(section.headings)
    return any(len(o.headings) > depth and o.headings[:depth] == section.headings for o in sections)


def _is_list_or_quote(line: str) -> bool:
    return bool(re.match(r"^\s*(?:[-*+>]|\d+[.)])\s", line))


def load_knowledge_base(folder: Path) -> list[Section]:
    """Every section of every ``*.md`` file under ``folder``, files in path order."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder; point the knowledge base at a folder of Markdown files.")
    sections: list[Section] = []
    for file in sorted(folder.rglob("*.md")):
        if not file.is_file():
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{file}: cannot be read as UTF-8 Markdown ({exc}).") from None
        sections.extend(split_markdown(text, path=file.relative_to(folder).as_posix()))
    return sections
