"""Parsers fed from outside never crash, whatever the bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.sources.hackernews import id_list
from goodwill.sources.html_text import html_to_text
from goodwill.sources.rss import parse_feed, unwrap_link
from goodwill.sources.source import SourceSettings

TAGS = st.sampled_from(
    ["<p>", "</p>", "<br>", "<a href='x'>", "</a>", "<script>", "</script>", "&amp;", "&#x27;", "<", ">"]
)


@given(st.lists(st.one_of(TAGS, st.text(max_size=10)), max_size=20))
def test_html_to_text_never_raises_and_drops_tags(parts: list[str]) -> None:
    text = html_to_text("".join(parts))
    assert "<p>" not in text and "<br>" not in text and "<script>" not in text


def test_html_to_text_examples() -> None:
    assert html_to_text("a<p>b<br>c &amp; d<script>x()</script>") == "a\n\nb\nc & d"
    assert html_to_text("  plain  ") == "plain"


@settings(max_examples=60, deadline=None)
@given(
    st.binary(max_size=300) | st.text(max_size=300).map(lambda t: f"<rss><channel><item><title>{t}</title>")
)
def test_parse_feed_never_raises(body: bytes | str) -> None:
    info, items = parse_feed(body)
    assert isinstance(info["bozo"], bool)
    assert all(i.post.network == "rss" for i in items)


@given(st.text(max_size=60))
def test_unwrap_link_and_id_list_never_raise(text: str) -> None:
    assert unwrap_link(text) in (text, None) or unwrap_link(text).startswith("http")  # type: ignore[union-attr]
    assert all(isinstance(i, int) for i in id_list(text))


def test_secret_names_its_variable() -> None:
    settings_ = SourceSettings(credentials={"token": "MY_TOKEN"}, env={"MY_TOKEN": "abc"})
    assert settings_.secret("token", "DEFAULT_TOKEN") == ("abc", "MY_TOKEN")
    assert SourceSettings().secret("token", "DEFAULT_TOKEN") == (None, "DEFAULT_TOKEN")
    assert "abc" not in repr(settings_)
