"""One or more real payload files per registered source, for the conformance test.

A new source adds its entry here (paths under ../shared/fixtures, or a
``*synthetic*`` file under tests/sources/fixtures); the conformance test fails
for a registered source that has none.
"""

from __future__ import annotations

from pathlib import Path

from cassettes import fixture

LOCAL = Path(__file__).resolve().parent / "fixtures"

SAMPLES: dict[str, list[Path]] = {
    "hackernews": [
        fixture("hackernews", "hackernews_api_readme", "v0_item_8863.json"),
        fixture("hackernews", "hackernews_api_readme", "v0_item_2921983.json"),
        fixture("hackernews", "hackernews_api_readme", "v0_item_192327.json"),
        LOCAL / "hackernews" / "algolia_search_by_date_synthetic.json",
        LOCAL / "hackernews" / "item_deleted_synthetic.json",
    ],
    # the Reddit recordings are Betamax cassettes, not response bodies: synthetic bodies stand in
    "reddit": [
        LOCAL / "reddit" / "continue_thread_synthetic.json",
        LOCAL / "reddit" / "removed_by_category_synthetic.json",
    ],
    # the Mastodon recordings are VCR.py cassettes; this synthetic timeline has local accounts
    "mastodon": [LOCAL / "mastodon" / "quote_synthetic.json"],
    "bluesky": [
        fixture("bluesky", "marshalx_atproto", "post_record.json"),
        fixture("bluesky_firehose", "jetstream", "expected_v1.jsonl"),
        fixture("bluesky_firehose", "jetstream", "golden_v1.jsonl"),
        LOCAL / "bluesky" / "jetstream_edit_delete_synthetic.jsonl",
    ],
    "rss": [
        fixture("rss_atom", "feedjira", "google_alerts_atom.xml"),
        fixture("rss_atom", "feedjira", "json_feed.json"),
        fixture("rss_atom", "feedparser", "shiftjis.xml"),
    ],
    "x": [
        fixture("twitter_v2", "twarc-csv", "withheld.jsonl"),
        fixture("twitter_v2", "twarc-csv", "edited.jsonl"),
        fixture("twitter_v2", "twarc-csv", "tweets_compliance.jsonl"),
        fixture("twitter_v2", "twarc-csv", "streaming_output_with_error.jsonl"),
        fixture("twitter_archive", "twoo", "manifest.js.txt"),
    ],
    "youtube": [
        fixture("youtube", "python-youtube", "comment_threads_by_video_paged_1.json"),
        fixture("youtube", "python-youtube", "comments_by_parent_paged_1.json"),
        fixture("youtube", "python-youtube", "search_by_keywords_p1.json"),
        fixture("youtube", "python-youtube", "videos_info_multi.json"),
        fixture("youtube", "feedjira", "youtube_atom.xml"),
    ],
}
