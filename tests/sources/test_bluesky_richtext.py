"""Facets for replies sent to Bluesky: byte offsets, what is and is not a link, tag or mention."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from goodwill.sources.bluesky.richtext import MAX_MENTIONS, reply_facets

DIDS = {
    "bsky.app": "did:plc:z72i7hdynmk6r22z27h6tvur",
    "acme-care.bsky.social": "did:plc:acmecare7synthetic",
}


def resolve(handle: str) -> str | None:
    return DIDS.get(handle)


def spans(text: str, facets: list[dict[str, Any]]) -> list[tuple[str, dict[str, str]]]:
    data = text.encode("utf-8")
    return [
        (data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8"), f["features"][0])
        for f in facets
    ]


def test_link_mention_and_tag_get_byte_offsets_after_emoji() -> None:
    text = "😀 Hi @bsky.app, see https://acme.example/help?q=card. #AcmeCare"
    facets = reply_facets(text, resolve)
    # The emoji is 4 bytes in UTF-8 (2 UTF-16 units, 1 character), so the mention starts at byte 8.
    assert facets[0]["index"] == {"byteStart": 8, "byteEnd": 17}
    assert spans(text, facets) == [
        ("@bsky.app", {"$type": "app.bsky.richtext.facet#mention", "did": DIDS["bsky.app"]}),
        (
            "https://acme.example/help?q=card",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.example/help?q=card"},
        ),
        ("#AcmeCare", {"$type": "app.bsky.richtext.facet#tag", "tag": "AcmeCare"}),
    ]


def test_punctuation_and_brackets_stay_out_of_links() -> None:
    text = "(details: https://en.wikipedia.org/wiki/Bank_(disambiguation)) and https://acme.example/x!"
    links = [feature["uri"] for _, feature in spans(text, reply_facets(text, resolve))]
    assert links == ["https://en.wikipedia.org/wiki/Bank_(disambiguation)", "https://acme.example/x"]


def test_unresolved_handles_and_numbers_stay_plain_text() -> None:
    looked_up: list[str] = []

    def counting(handle: str) -> str | None:
        looked_up.append(handle)
        return resolve(handle)

    text = "@nobody.example asked twice, @Nobody.example! Order #12345, mail me@acme.example or @localhost"
    assert reply_facets(text, counting) == []
    assert looked_up == ["nobody.example"]  # once per handle, case-folded; e-mails and dotless names skipped


def test_nothing_inside_a_link_becomes_a_tag_or_mention() -> None:
    text = "https://acme.example/@bsky.app/page#section"
    types = [facet["features"][0]["$type"] for facet in reply_facets(text, resolve)]
    assert types == ["app.bsky.richtext.facet#link"]


def test_mentions_looked_up_are_bounded() -> None:
    calls: list[str] = []
    text = " ".join(f"@user{i}.example" for i in range(MAX_MENTIONS + 5))
    reply_facets(text, lambda handle: calls.append(handle) or "did:plc:x")
    assert len(calls) == MAX_MENTIONS


@given(st.text(alphabet=st.sampled_from(list("ab @#.:/()h😀é\u200f-ps")), max_size=80))
def test_facets_are_sorted_disjoint_and_on_character_boundaries(text: str) -> None:
    facets = reply_facets(text, lambda handle: "did:plc:x")
    data = text.encode("utf-8")
    last_end = 0
    for facet in facets:
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert last_end <= start < end <= len(data)
        shown = data[start:end].decode("utf-8")  # raises if a character were cut
        feature = facet["features"][0]
        if feature["$type"].endswith("#link"):
            assert shown == feature["uri"]
        elif feature["$type"].endswith("#tag"):
            assert shown == "#" + feature["tag"]
        else:
            assert shown.startswith("@")
        last_end = end
