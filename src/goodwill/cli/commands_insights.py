"""``goodwill insights who|what|feel|sov|wom`` (tables on the terminal) and ``goodwill report`` (HTML)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from goodwill.cli.main import ConfigOption, app
from goodwill.cli.workspace import Workspace, resolve_workspace
from goodwill.errors import InputError
from goodwill.insights.tables import InsightTable

if TYPE_CHECKING:
    from goodwill.insights.facts import PostFact

insights_app = typer.Typer(
    name="insights",
    help=(
        "Who talks about your brands and competitors, what about, how they feel, share of voice, and "
        "word of mouth against audience size. Spam and the brands' own posts are left out. "
        "Run `goodwill enrich --stored` first."
    ),
    no_args_is_help=True,
)
app.add_typer(insights_app, name="insights")

SinceOption = Annotated[
    str, typer.Option("--since", help="Posts newer than 30m, 24h, 7d, 2w or a date (default 30d).")
]
BrandOption = Annotated[str | None, typer.Option("--brand", help="Only this brand or competitor.")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, jsonl or csv.")]
FORMATS = ("table", "jsonl", "csv")


def _check_format(fmt: str) -> None:
    """Refuse an unknown --format before any work is done."""
    if fmt not in FORMATS:
        raise InputError(f"unknown --format {fmt!r}: use one of {', '.join(FORMATS)}.")


def _facts(config: ConfigOption, since: str, fmt: str) -> tuple[Workspace, list[PostFact], dict[str, str]]:
    from goodwill.insights.facts import FactFilter, load_facts
    from goodwill.store import open_store
    from goodwill.timespec import parse_since

    _check_format(fmt)
    workspace = resolve_workspace(config)
    from goodwill.insights.authors import identities

    with open_store(workspace.store_url) as store:
        facts = load_facts(
            store,
            config=workspace.config,
            flt=FactFilter(since=parse_since(since)),
            versions=workspace.stage_versions(),
        )
        linked = identities(store)
    return workspace, facts, linked


authors_app = typer.Typer(
    name="authors",
    help=(
        "Link one person's handles across networks so insights count them once. "
        "Authors are written network:handle, e.g. x:alice or mastodon:alice@toot.example."
    ),
    no_args_is_help=True,
)
app.add_typer(authors_app, name="authors")


@authors_app.command("link")
def authors_link(
    profile: Annotated[str, typer.Argument(help="The person's name as the team knows them.")],
    authors: Annotated[list[str], typer.Argument(help="Handles as network:handle.")],
    config: ConfigOption = None,
) -> None:
    """Link handles to one profile (a handle linked before moves to this profile)."""
    from goodwill.desk.curation import link_handles
    from goodwill.store import open_store

    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        keys = link_handles(store, None, profile, authors)
    Console(stderr=True, highlight=False).print(f"Linked {len(keys):,} handles to {profile}.", markup=False)


@authors_app.command("unlink")
def authors_unlink(
    authors: Annotated[list[str], typer.Argument(help="Handles as network:handle.")],
    config: ConfigOption = None,
) -> None:
    """Remove handles from the profile they were linked to."""
    from goodwill.desk.curation import unlink_handles
    from goodwill.store import open_store

    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        removed = unlink_handles(store, None, authors)
    Console(stderr=True, highlight=False).print(f"Unlinked {removed:,} handles.", markup=False)


@authors_app.command("list")
def authors_list(config: ConfigOption = None, fmt: FormatOption = "table") -> None:
    """Every linked handle and its profile."""
    from goodwill.insights.authors import list_links
    from goodwill.insights.tables import table_of
    from goodwill.store import open_store

    _check_format(fmt)
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        links = list_links(store)
    _show(table_of("author_links", "Linked authors", links), fmt)


def _show(table: InsightTable, fmt: str) -> None:
    from goodwill.cli.insight_render import write_table

    write_table(table, fmt=fmt)


@insights_app.command()
def who(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Voices per brand.")] = 10,
    fmt: FormatOption = "table",
) -> None:
    """Top voices per brand: followers tier, engagement, posts, and an example post.

    Influence = log10(1 + followers) + 2 * log10(1 + engagement), where engagement is replies
    stored for their posts plus the likes and reposts the network reported.
    """
    from goodwill.insights.tables import table_of
    from goodwill.insights.voices import top_voices

    _, facts, linked = _facts(config, since, fmt)
    voices = top_voices(facts, brand=brand, limit=limit, identities=linked)
    _show(table_of("top_voices", "Top voices", voices), fmt)


@insights_app.command()
def segments(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    segment: Annotated[
        str | None,
        typer.Option("--segment", help="List the authors of this segment, each with the evidence."),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Who they are: customers, prospects, competitors' customers, churn risks, media, peer helpers.

    Without --segment: authors and posts per segment and brand. With it: each author in that
    segment with up to three posts (network:id) and the words that put them there. Situation
    segments come from [[insights.segments]] in goodwill.toml.
    """
    from goodwill.insights.segments import find_evidence, segment_authors, summarise
    from goodwill.insights.tables import table_of

    workspace, facts, linked = _facts(config, since, fmt)
    evidence = find_evidence(facts, situations=workspace.config.insights.segments, identities=linked)
    if brand is not None:
        evidence = [e for e in evidence if e.brand is None or e.brand.casefold() == brand.casefold()]
    if segment is None:
        _show(table_of("segments", "Segments", summarise(evidence)), fmt)
        return
    chosen = [e for e in evidence if e.segment == segment]
    members = segment_authors(chosen, facts=facts, identities=linked)
    _show(table_of("segment_members", f"Segment: {segment}", members), fmt)


@insights_app.command()
def intrusion(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Did the brand's replies go where they were invited? And how were they answered?

    Invited: the post replied to spoke to the brand (its handle) or was judged to welcome a
    reply. Uninvited: it did neither. Follow-ups are the answers to the brand's reply.
    """
    from goodwill.insights.facts import FactFilter, load_facts
    from goodwill.insights.intrusion import handle_owners, intrusion_audit
    from goodwill.insights.tables import table_of
    from goodwill.store import open_store
    from goodwill.timespec import parse_since

    _check_format(fmt)
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        facts = load_facts(
            store,
            config=workspace.config,
            flt=FactFilter(since=parse_since(since), include_own=True),
            versions=workspace.stage_versions(),
        )
    rows = [
        r
        for r in intrusion_audit(facts, handle_owners(workspace.config))
        if brand is None or r.brand.casefold() == brand.casefold()
    ]
    _show(table_of("intrusion", "Intrusion audit: the brand's replies", rows), fmt)


@insights_app.command()
def what(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    by: Annotated[str, typer.Option("--by", help="share, mix, emerging or intent.")] = "share",
    fmt: FormatOption = "table",
) -> None:
    """What people talk about: topics with their share and negative share, or by sentiment and intent.

    Topics come from `goodwill topics discover`; before any discovery, this shows intents per
    brand. --by: share (default), mix (topic x sentiment x intent), emerging (last 7 days
    against the 7 before, by share), intent.
    """
    from goodwill.insights import topic_insights as ti
    from goodwill.insights.intents import intent_mix
    from goodwill.insights.tables import table_of
    from goodwill.insights.topics_store import topic_assignments
    from goodwill.store import open_store

    if by not in {"share", "mix", "emerging", "intent"}:
        raise InputError(f"unknown --by {by!r}: use share, mix, emerging or intent.")
    workspace, facts, _ = _facts(config, since, fmt)
    with open_store(workspace.store_url) as store:
        topic_of = topic_assignments(store)
    if by == "intent" or not topic_of:
        if not topic_of and by != "intent":
            Console(stderr=True).print("No topics yet (run `goodwill topics discover`): intents per brand.")
        _show(table_of("intents", "Intents per brand", intent_mix(facts, brand=brand)), fmt)
    elif by == "share":
        _show(table_of("topics", "Topics", ti.topic_shares(facts, topic_of, brand=brand)), fmt)
    elif by == "mix":
        _show(
            table_of("topic_mix", "Topic x sentiment x intent", ti.topic_mix(facts, topic_of, brand=brand)),
            fmt,
        )
    else:
        latest = max((f.posted_at for f in facts), default=None)
        rows = (
            ti.emerging_topics(facts, topic_of, now=latest + timedelta(seconds=1), brand=brand)
            if latest
            else []
        )
        _show(table_of("emerging_topics", "Emerging topics", rows), fmt)


@insights_app.command()
def feel(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    by: Annotated[
        str, typer.Option("--by", help="total (net sentiment per brand), day or week (over time).")
    ] = "total",
    fmt: FormatOption = "table",
) -> None:
    """How people feel about each brand: positive, neutral, negative and net sentiment.

    Net sentiment = (positive - negative) / judged posts * 100, from -100 to +100.
    """
    from goodwill.insights.feel import net_sentiment, sentiment_over_time
    from goodwill.insights.tables import table_of

    if by not in {"total", "day", "week"}:
        raise InputError(f"unknown --by {by!r}: use total, day or week.")
    _, facts, _ = _facts(config, since, fmt)
    if by == "total":
        _show(table_of("net_sentiment", "Net sentiment per brand", net_sentiment(facts, brand=brand)), fmt)
    else:
        points = sentiment_over_time(facts, bucket=by, brand=brand)
        _show(table_of("sentiment_over_time", f"Sentiment per {by}", points), fmt)


@insights_app.command()
def sov(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    fmt: FormatOption = "table",
) -> None:
    """Share of voice of each brand and competitor, by volume and weighted by sentiment.

    Weighted: a positive mention counts 1, neutral 0.5, negative 0.
    """
    from goodwill.insights.tables import table_of
    from goodwill.insights.voice import share_of_voice

    _, facts, _ = _facts(config, since, fmt)
    _show(table_of("share_of_voice", "Share of voice", share_of_voice(facts)), fmt)


@insights_app.command()
def wom(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    by: Annotated[
        str, typer.Option("--by", help="tier (the author's followers) or audience (the brand's followers).")
    ] = "tier",
    fmt: FormatOption = "table",
) -> None:
    """Word of mouth against audience: the negative share by author follower tier or brand audience size."""
    from goodwill.insights.facts import brand_audiences
    from goodwill.insights.tables import table_of
    from goodwill.insights.wom import negative_by_audience, negative_by_tier
    from goodwill.store import open_store

    if by not in {"tier", "audience"}:
        raise InputError(f"unknown --by {by!r}: use tier or audience.")
    workspace, facts, _ = _facts(config, since, fmt)
    if by == "tier":
        rows = negative_by_tier(facts, brand=brand)
        _show(table_of("wom_by_tier", "Negative share by the author's follower tier", rows), fmt)
        return
    with open_store(workspace.store_url) as store:
        audiences = brand_audiences(store, workspace.config)
    rows_a = [
        r
        for r in negative_by_audience(facts, audiences)
        if brand is None or r.brand.casefold() == brand.casefold()
    ]
    _show(table_of("wom_by_audience", "Negative share by brand audience size", rows_a), fmt)


@app.command()
def report(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    brand: BrandOption = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the HTML file.", dir_okay=False)
    ] = Path("report.html"),
    export_dir: Annotated[
        Path | None,
        typer.Option("--export-dir", help="Also write every table as CSV and JSON Lines into this folder."),
    ] = None,
    bucket: Annotated[str, typer.Option("--bucket", help="day or week, for the charts over time.")] = "day",
    title: Annotated[str, typer.Option("--title", help="The report's heading.")] = "goodwill insights",
) -> None:
    """Write one standalone HTML report: every insight table with its chart, readable offline.

    The file holds its charts as inline SVG and loads nothing from anywhere (no script, font
    or image), so it can be mailed or opened without a network. --export-dir adds each table
    as CSV and JSON Lines.
    """
    from goodwill.insights.overview import build_overview
    from goodwill.insights.report import render_report, write_exports
    from goodwill.store import open_store
    from goodwill.timespec import parse_since

    if bucket not in {"day", "week"}:
        raise InputError(f"unknown --bucket {bucket!r}: use day or week.")
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        overview = build_overview(
            store,
            config=workspace.config,
            since=parse_since(since),
            brand=brand,
            bucket=bucket,
            versions=workspace.stage_versions(),
        )
    html = render_report(overview, title=title)
    try:
        output.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write the report ({exc.strerror}).") from None
    err = Console(stderr=True, highlight=False)
    counted = sum(1 for f in overview.facts if f.mentions(brand)) if brand else len(overview.facts)
    err.print(f"Wrote {output} ({counted:,} posts).", markup=False)
    if export_dir is not None:
        files = write_exports(overview.tables, export_dir)
        err.print(f"Wrote {len(files):,} export files to {export_dir}.", markup=False)


alerts_app = typer.Typer(
    name="alerts",
    help=(
        "Spikes in volume or negative share per brand (and topic), against the previous 12 windows and "
        "the same hour on earlier days; each spike is sent once, by webhook and e-mail as set in "
        "[insights.alerts] of goodwill.toml."
    ),
    no_args_is_help=True,
)
app.add_typer(alerts_app, name="alerts")


@alerts_app.command("check")
def alerts_check(
    config: ConfigOption = None,
    now: Annotated[
        str | None, typer.Option("--now", help="Check as if it were this time (ISO 8601); default: now.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the spikes without recording or sending them.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or jsonl.")] = "table",
) -> None:
    """Look for spikes now; send the new ones and remember them so each fires once.

    Run it from cron every few minutes (e.g. `*/10 * * * * cd /work && goodwill alerts check`).
    Exits 1 when an alert could not be delivered.
    """
    import json
    from datetime import UTC, datetime

    from goodwill.insights.alerts import check_alerts, spike_payload
    from goodwill.insights.topics_store import topic_assignments
    from goodwill.store import open_store
    from goodwill.timespec import parse_since

    if fmt not in {"table", "jsonl"}:
        raise InputError(f"unknown --format {fmt!r}: use table or jsonl.")
    moment = parse_since(now) if now else datetime.now(UTC)
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        run = check_alerts(
            store,
            config=workspace.config,
            now=moment,
            versions=workspace.stage_versions(),
            topic_of=topic_assignments(store),
            dry_run=dry_run,
        )
    shown = run.detected if dry_run else run.fired
    err = Console(stderr=True, highlight=False)
    if fmt == "jsonl":
        for spike in shown:
            typer.echo(json.dumps(spike_payload(spike), ensure_ascii=False))
    else:
        out = Console(highlight=False)
        for spike in shown:
            out.print(spike.explain(), markup=False)
            for example in spike.examples:
                out.print(f"  - {example}", markup=False)
        ongoing = len(run.detected) - len(run.fired)
        verb = "spikes found (dry run)" if dry_run else "new alerts sent"
        err.print(f"{len(shown):,} {verb}; {ongoing if not dry_run else 0:,} still ongoing.", markup=False)
    for problem in run.errors:
        err.print(f"goodwill: error: {problem}", markup=False)
    if run.errors:
        raise typer.Exit(1)


@alerts_app.command("list")
def alerts_list(
    config: ConfigOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many.")] = 20,
    fmt: FormatOption = "table",
) -> None:
    """The alerts fired so far, newest first, and whether each spike is still on."""
    from goodwill.insights.alerts import recent_alerts
    from goodwill.insights.tables import table_of
    from goodwill.store import open_store

    _check_format(fmt)
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        found = recent_alerts(store, limit=limit)
    columns = ("fired_at", "key", "active", "window_end", "text")
    _show(table_of("alerts", "Alerts", found, columns=columns), fmt)


topics_app = typer.Typer(
    name="topics",
    help=(
        "What people talk about: discover topics in the stored posts (offline embeddings, clustered, "
        "labelled by their distinctive words), then name, merge, unmerge and pin them. "
        "Naming or merging pins."
    ),
    no_args_is_help=True,
)
app.add_typer(topics_app, name="topics")
TopicId = Annotated[int, typer.Argument(help="A topic id from `goodwill topics list`.")]


@topics_app.command("discover")
def topics_discover(
    config: ConfigOption = None,
    since: SinceOption = "30d",
    embedder: Annotated[
        str, typer.Option("--embedder", help="auto (MiniLM when installed), minilm or tfidf.")
    ] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="Same posts and seed: same topics.")] = 0,
) -> None:
    """Find the topics of the posts since --since and store them (pinned topics are kept)."""
    from goodwill.insights.discovery import run_discovery
    from goodwill.store import open_store
    from goodwill.timespec import parse_since

    if embedder not in {"auto", "minilm", "tfidf"}:
        raise InputError(f"unknown --embedder {embedder!r}: use auto, minilm or tfidf.")
    workspace = resolve_workspace(config)
    err = Console(stderr=True, highlight=False)
    with open_store(workspace.store_url) as store, err.status("Embedding and clustering posts..."):
        result = run_discovery(
            store,
            config=workspace.config,
            since=parse_since(since),
            embedder=embedder,
            seed=seed,
            versions=workspace.stage_versions(),
        )
    err.print(
        f"Found {len(result.topics):,} topics in {len(result.assignments):,} posts with {result.embedder}; "
        f"{result.unassigned_share:.1f}% unassigned. `goodwill topics list` shows them.",
        markup=False,
    )


@topics_app.command("list")
def topics_list(config: ConfigOption = None, fmt: FormatOption = "table") -> None:
    """The stored topics: id, label, the team's name, posts, pinned and merges."""
    from goodwill.insights.tables import table_of
    from goodwill.insights.topics_store import list_topics
    from goodwill.store import open_store

    _check_format(fmt)
    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        found = list_topics(store)
    columns = ("id", "posts", "name", "label", "pinned", "merged_into", "terms")
    _show(table_of("topics", "Topics", found, columns=columns), fmt)


def _topic_edit(config: ConfigOption, action: str, *args: object, **options: object) -> None:
    """Run one of goodwill.desk.curation's topic edits, written to the audit log as goodwill's."""
    from goodwill.desk import curation
    from goodwill.store import open_store

    workspace = resolve_workspace(config)
    with open_store(workspace.store_url) as store:
        getattr(curation, action)(store, None, *args, **options)


@topics_app.command("name")
def topics_name(
    topic: TopicId, name: Annotated[str, typer.Argument(help="The team's name.")], config: ConfigOption = None
) -> None:
    """Name a topic (and pin it, so the name survives the next discovery)."""
    _topic_edit(config, "rename_topic", topic, name)


@topics_app.command("merge")
def topics_merge(
    topic: TopicId,
    into: Annotated[int, typer.Argument(help="The topic it becomes part of.")],
    config: ConfigOption = None,
) -> None:
    """Count one topic as another from now on (both are pinned)."""
    _topic_edit(config, "merge_topic", topic, into)


@topics_app.command("unmerge")
def topics_unmerge(topic: TopicId, config: ConfigOption = None) -> None:
    """Count a merged topic as itself again (it stays pinned; a topic not merged is left as it is)."""
    _topic_edit(config, "unmerge_topic", topic)


@topics_app.command("pin")
def topics_pin(
    topic: TopicId,
    config: ConfigOption = None,
    unpin: Annotated[bool, typer.Option("--unpin", help="Stop keeping it across runs.")] = False,
) -> None:
    """Keep a topic across discovery runs: later runs fill it first."""
    _topic_edit(config, "pin_topic", topic, pinned=not unpin)
