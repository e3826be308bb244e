"""Feeds as the web serves them: real feeds, ill-formed and undeclared-encoding docs, conditional GET."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cassettes import fixture

from goodwill.errors import GoneError
from goodwill.sources.http import HttpClient
from goodwill.sources.rss import RssSource, parse_feed, unwrap_link
from goodwill.sources.source import Query, SourceSettings

rss = RssSource(SourceSettings())


def feedjira(name: str) -> bytes:
    return fixture("rss_atom", "feedjira", name).read_bytes()


def illformed(name: str) -> bytes:
    return fixture("rss_atom", "feedparser", name).read_bytes()


def test_google_alerts_links_are_unwrapped_and_highlights_dropped() -> None:
    info, items = parse_feed(feedjira("google_alerts_atom.xml"))
    assert (info["title"], info["version"], len(items)) == ("Google Alert - Slack", "atom10", 20)
    first = items[0].post
    assert first.native_id == "tag:google.com,2013:googlealerts/feed:8974135267215335962"
    assert first.text.startswith("Report offers Prediction of Automotive Slack Market by Top key players")
    assert first.url == (
        "https://www.aglobalmarketresearch.com/report-offers-prediction-of-automotive-slack-market-by-top-"
        "key-players-like-haldex-meritor-bendix-mei-wabco-accuride-stemco-tbk-febi-aydinsan/"
    )
    assert first.created_at == datetime(2019, 7, 10, 11, 53, 37, tzinfo=UTC)
    assert first.author is None  # the alert's empty <author><name/> is absent, not ""
    assert items[0].raw["link"].startswith("https://www.google.com/url?rct=j&sa=t&url=https://www.aglobal")
    assert items[1].post.url == "https://investorplace.com/2019/07/slack-stock-truly-compelling/"


def test_unwrap_link() -> None:
    assert unwrap_link("https://www.google.com/url?q=https://a.example/x&sa=U") == "https://a.example/x"
    assert unwrap_link("https://www.google.com/search?q=acme") == "https://www.google.com/search?q=acme"
    assert (
        unwrap_link("https://example.com/url?url=https://b.example")
        == "https://example.com/url?url=https://b.example"
    )
    assert unwrap_link(None) is None


def test_json_feed() -> None:
    info, items = parse_feed(feedjira("json_feed.json"))
    assert (info["title"], info["version"], len(items)) == (
        "inessential.com",
        "https://jsonfeed.org/version/1",
        20,
    )
    post = items[0].post
    assert post.native_id == "http://inessential.com/2017/06/02/james_dempsey_and_the_breakpoints_benefi"
    assert post.text.startswith(
        "James Dempsey and the Breakpoints Benefit App Camp for Girls\n\nOn Wednesday night"
    )
    assert (post.created_at, post.lang) == (datetime(2017, 6, 3, 5, 5, 47, tzinfo=UTC), "en")
    assert items[0].raw["date_published"] == "2017-06-02T22:05:47-07:00"


def test_atom_with_relative_links_resolves_them_against_the_feed_url() -> None:
    info, items = parse_feed(feedjira("SamRuby.xml"), base="http://intertwingly.net/blog/index.atom")
    assert (info["title"], len(items)) == ("Sam Ruby", 20)
    post = items[0].post
    assert (post.native_id, post.url) == (
        "tag:intertwingly.net,2004:3308",
        "http://intertwingly.net/blog/2013/01/30/Plex",
    )
    assert post.text.startswith(
        "Plex\n\nScott Hanselman: Plex is the media center software ecosystem I’ve been waiting for"
    )
    assert post.created_at == datetime(2013, 1, 30, 18, 12, 3, tzinfo=UTC)


def test_rss_with_leading_newline_and_authors() -> None:
    info, items = parse_feed(feedjira("TechCrunch.xml"))
    assert (info["title"], info["language"], len(items)) == ("TechCrunch", "en", 20)
    post = items[0].post
    assert post.native_id == "http://techcrunch.com/?p=446154"
    assert post.text.startswith(
        "Angie’s List Sets Price Range IPO At $11 To $13 Per Share; Valued At Over $600M"
    )
    assert (post.author.name if post.author else None, post.lang) == ("Leena Rao", "en")


def test_german_podcast_with_namespace_soup() -> None:
    info, items = parse_feed(feedjira("CRE.xml"))
    assert (info["language"], len(items)) == ("de-DE", 30)
    assert items[0].post.text.startswith("CRE207 Planetarien\n\nPlantarien waren Anfang des 20. Jahrhunderts")
    assert (items[0].post.lang, items[0].post.native_id) == (
        "de",
        "podlove-2015-02-13t20:15:53+00:00-28d673725224ab3",
    )


def test_truncated_feed_with_an_epoch_date_falls_back_to_pubdate() -> None:
    info, items = parse_feed(feedjira("InvalidDateFormat.xml"))
    assert info["bozo"] is True
    assert [(i.post.native_id, i.post.created_at) for i in items] == [
        ("http://example.com/item0", datetime(2017, 10, 16, 15, 10, tzinfo=UTC)),
        ("http://example.com/item1", datetime(2017, 10, 17, 12, 17, tzinfo=UTC)),
    ]


def test_hacker_news_front_page_feed() -> None:
    info, items = parse_feed(fixture("hackernews", "feedjira", "RSSWithComments.xml").read_bytes())
    assert (info["title"], len(items)) == ("Hacker News", 30)
    assert items[1].post.text == "Dall-E 2\n\nComments"
    assert items[1].raw["comments"] == "https://news.ycombinator.com/item?id=30932095"


@pytest.mark.parametrize(
    ("name", "encoding", "text"),
    [
        ("eucjp.xml", "EUC-JP", "ゲーム三昧な正月"),
        ("euckr.xml", "CP949", "EUC-KR 에서 TypeKey 한글닉네임 표시하기"),
        ("gb2312.xml", "GB18030", "不归移民漫画系列：专业工作"),
        ("shiftjis.xml", "CP932", "DrecomRSSに記事投稿が反映されない…"),
        ("windows1255.xml", "Windows-1255", "האם תדפיס נייר של אתר אינטרנט"),
    ],
)
def test_undeclared_encodings_are_sniffed(name: str, encoding: str, text: str) -> None:
    info, items = parse_feed(illformed(name))
    assert info["encoding"] == encoding
    assert items[0].post.text.startswith(text)
    assert items[0].post.native_id.startswith("sha256:")  # no guid, no link: a stable content id


def test_big5_feed_title() -> None:
    info, items = parse_feed(illformed("big5.xml"))
    assert (info["encoding"], items) == ("Big5", [])
    assert info["title"].startswith("我希望")


def test_ill_formed_documents_never_raise() -> None:
    assert parse_feed(illformed("rss_item_link_corrupted_ampersands.xml"))[0]["links"] == [
        "http://link/get?a=1&b=2"
    ]
    cdata, _ = parse_feed(illformed("rss_incomplete_cdata.xml"))
    assert (cdata["title"], cdata["bozo"]) == ("can feedparser read this xml", True)
    for name in (
        "aaa_illformed.xml",
        "rss_empty_document.xml",
        "undeclared_namespace.xml",
        "http_high_bit_date.xml",
    ):
        info, items = parse_feed(illformed(name))
        assert items == [] and info["links"] == []
    assert parse_feed(illformed("rss_empty_document.xml"))[0]["version"] is None
    assert parse_feed(illformed("http_high_bit_date.xml"))[0]["bozo"] is False


def test_the_same_bytes_give_the_same_ids() -> None:
    first = [i.post for i in rss.normalise(illformed("eucjp.xml"))]
    assert first == [i.post for i in rss.normalise(illformed("eucjp.xml"))]


# -- polling -------------------------------------------------------------------------------------


def test_conditional_get_sends_back_etag_and_last_modified_and_304_yields_nothing() -> None:
    body = feedjira("google_alerts_atom.xml")
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"etag": '"v1"'})
        return httpx.Response(
            200,
            content=body,
            headers={
                "content-type": "application/atom+xml",
                "etag": '"v1"',
                "last-modified": "Wed, 10 Jul 2019 12:00:00 GMT",
            },
        )

    client = HttpClient("rss", transport=httpx.MockTransport(server), clock=lambda: 0.0, sleep=lambda s: None)
    query = Query("rss", "feed", "https://www.google.com/alerts/feeds/1/2", "alert")
    (page,) = list(rss.fetch(query, None, client))
    assert len(page.items) == 20
    assert page.cursor == {"etag": '"v1"', "last_modified": "Wed, 10 Jul 2019 12:00:00 GMT"}
    (again,) = list(rss.fetch(query, page.cursor, client))
    assert (again.items, again.cursor) == ([], page.cursor)
    assert seen[1].headers["if-none-match"] == '"v1"'
    assert seen[1].headers["if-modified-since"] == "Wed, 10 Jul 2019 12:00:00 GMT"


def test_a_feed_that_is_gone_says_so() -> None:
    client = HttpClient(
        "rss", transport=httpx.MockTransport(lambda r: httpx.Response(410, text="Gone")), sleep=lambda s: None
    )
    with pytest.raises(
        GoneError, match=r"rss: the feed https://example.org/feed no longer exists \(410: Gone\)"
    ):
        list(rss.fetch(Query("rss", "feed", "https://example.org/feed", "f"), None, client))


def test_import_network_rss_reads_a_feed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from goodwill.cli.main import invoke
    from goodwill.store import open_store

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    path = fixture("rss_atom", "feedjira", "google_alerts_atom.xml")
    assert invoke(["import", "--network", "rss", str(path), "-q"]) == 0
    assert capsys.readouterr().out.strip() == "imported 20, updated 0, unchanged 0, rejected 0"
    assert invoke(["import", "--network", "rss", str(path), "-q"]) == 0
    assert capsys.readouterr().out.strip() == "imported 0, updated 0, unchanged 20, rejected 0"
    with open_store(f"sqlite:///{tmp_path / 'goodwill.db'}") as store:
        post = store.get("rss", "tag:google.com,2013:googlealerts/feed:13685523368333461374")
        assert (
            post is not None
            and post.post.url == "https://investorplace.com/2019/07/slack-stock-truly-compelling/"
        )
