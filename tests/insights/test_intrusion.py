"""Intrusion audit: the brand's replies, invited or not, and how they were answered."""

from __future__ import annotations

from datetime import UTC, datetime

from goodwill.config import BrandSpec, WorkspaceConfig
from goodwill.insights.facts import BrandMention, PostFact
from goodwill.insights.intrusion import handle_owners, intrusion_audit


def post(
    pid: str, author: str, *, reply_to: str | None = None, sentiment: str = "neutral", **more: object
) -> PostFact:
    return PostFact(
        post_id=int(pid[1:]),
        network="x",
        native_id=pid,
        posted_at=datetime(2026, 11, 1, tzinfo=UTC),
        text=pid,
        author=f"x:{author}",
        reply_to=reply_to,
        sentiment=sentiment,
        **more,  # type: ignore[arg-type]
    )


ADDRESSED = (BrandMention("Acme", "brand", addressed=True),)
MENTIONED = (BrandMention("Acme", "brand"),)


def test_invited_uninvited_and_unknown_replies_with_their_answers() -> None:
    config = WorkspaceConfig(brands=[BrandSpec(name="Acme", handles={"x": ["AcmeHelp"]})])
    owners = handle_owners(config)
    assert owners == {"acmehelp": "Acme"}
    facts = [
        post("p1", "ann", brands=ADDRESSED),  # spoke to @AcmeHelp: invited
        post("p2", "acmehelp", reply_to="p1"),
        post("p3", "ann", reply_to="p2", sentiment="positive"),
        post("p4", "bo", brands=MENTIONED, welcome=True),  # judged welcoming: invited
        post("p5", "acmehelp", reply_to="p4"),
        post("p6", "cy", brands=MENTIONED, welcome=False),  # only talked about Acme: uninvited
        post("p7", "acmehelp", reply_to="p6"),
        post("p8", "cy", reply_to="p7", sentiment="negative"),
        post("p9", "dee", reply_to="p7", sentiment="negative"),
        post(
            "p10", "acmehelp", reply_to="p7"
        ),  # the brand in its own thread: neither a reply nor a follow-up
        post("p11", "acmehelp", reply_to="gone"),  # parent not stored
        post("p12", "acmehelp"),  # a post of its own, not a reply
    ]
    rows = [
        (r.kind, r.replies, r.answered, r.followups, r.followup_negative_share, r.followup_net)
        for r in intrusion_audit(facts, owners)
    ]
    assert rows == [
        ("invited", 2, 1, 1, 0.0, 100.0),
        ("uninvited", 1, 1, 2, 100.0, -100.0),
        ("unknown", 1, 0, 0, 0.0, 0.0),
    ]


def test_intrusion_command(workspace: object, capsys: object) -> None:
    from goodwill.cli.main import invoke

    # The fixed dataset has Acme's own post p7 but no reply from Acme: nothing to audit.
    assert invoke(["insights", "intrusion", "--since", "2026-11-01", "-f", "csv"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert out.strip() == ""
