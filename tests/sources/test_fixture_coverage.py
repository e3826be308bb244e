"""Every recorded payload in ../shared/fixtures is read by some test, by name or by a glob over its folder.

The recordings are the only real API traffic the project has; one that no test reads is a shape of a
network's answer that nothing checks. New recordings fail this test until a test asserts on them.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from cassettes import FIXTURES

TESTS = Path(__file__).resolve().parents[1]
_GLOB = re.compile(r"""\.r?glob\(\s*["']([^"']+)["']""")


def test_every_fixture_file_is_read_by_a_test() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in TESTS.rglob("*.py"))
    globs = _GLOB.findall(sources)
    files = [f for f in FIXTURES.rglob("*") if f.is_file() and f.name not in ("PROVENANCE.md", "README.md")]
    assert len(files) > 50, f"expected the recorded payloads under {FIXTURES}"
    unread = [
        str(f.relative_to(FIXTURES))
        for f in files
        if f.name not in sources and not any(fnmatch.fnmatch(f.name, g) for g in globs)
    ]
    assert unread == [], f"no test reads these recordings: {unread}"
