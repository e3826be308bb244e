"""Judgement quality on the seed set: intent, complaint and "is a reply welcome", with baselines.

The posts are the project's own labelled seed set (data/seed/seed.jsonl, written by
hand, see data/seed/README.md), each judged against the brand configuration it was
labelled for. The default is the **validation** split, which no stage was tuned on
by fitting; the train split is for writing cues and fitting anything light.

Baselines measured in the same run:

* complaint: "negative sentiment is a complaint" (the sentiment stage's label for
  F1, its negative score for AUC): what most listening tools do;
* welcome: "reply when the post is addressed to the brand", what a care inbox does.

For welcome, precision matters most: a wrong reply is an intrusion, a missed one can
still be caught by a person.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from goodwill.config import WorkspaceConfig
from goodwill.enrich.intent import INTENT_LABELS
from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.stage import StageContext
from goodwill.models import Author, Post

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed" / "seed.jsonl"
CONFIGS = ROOT / "data" / "seed" / "configs.toml"


def load_seed(split: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def config_for(name: str, tables: dict[str, Any]) -> WorkspaceConfig:
    """A named table of configs.toml, or ``names:X`` for what ``--brand X`` builds."""
    if name.startswith("names:"):
        return WorkspaceConfig.from_names([name[len("names:") :]], [])
    return WorkspaceConfig(**tables[name])


def judge(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the default pipeline on every row under its own brand config; enrichment aligned with rows."""
    tables = tomllib.loads(CONFIGS.read_text(encoding="utf-8"))
    by_config: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_config[row["config"]].append(i)
    out: list[dict[str, Any]] = [{} for _ in rows]
    for name, indexes in by_config.items():
        pipeline = default_pipeline(StageContext(config=config_for(name, tables)))
        posts = [
            Post(
                network=rows[i]["network"],
                native_id=rows[i]["id"],
                text=rows[i]["text"],
                author=Author(handle=rows[i]["author"]),
                reply_to=rows[i]["reply_to"],
                lang=rows[i]["lang"],
            )
            for i in indexes
        ]
        for i, enrichment in zip(indexes, pipeline.run(posts), strict=True):
            out[i] = enrichment
    return out


def prf(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    fp = sum(p and not g for g, p in zip(gold, predicted, strict=True))
    fn = sum(g and not p for g, p in zip(gold, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": float(sum(gold))}


def auc(gold: Sequence[bool], scores: Sequence[float]) -> float:
    """Area under the ROC curve: the chance a random positive outscores a random negative (ties half)."""
    ranked = sorted(zip(scores, gold, strict=True))
    positives = sum(gold)
    negatives = len(gold) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid_rank = (i + j + 1) / 2  # 1-based average rank of the tie block
        rank_sum += mid_rank * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def _addressed(enrichment: dict[str, Any]) -> bool:
    return any(b.get("role") == "brand" and b.get("addressed") for b in enrichment.get("brands") or [])


def evaluate(rows: Sequence[dict[str, Any]], judged: Sequence[dict[str, Any]]) -> dict[str, Any]:
    gold_intent = [r["intent"] for r in rows]
    got_intent = [e["intent"]["label"] for e in judged]
    per_label = {
        label: prf([g == label for g in gold_intent], [p == label for p in got_intent])
        for label in INTENT_LABELS
    }
    present = [label for label in INTENT_LABELS if per_label[label]["support"]]
    intent = {
        "accuracy": sum(g == p for g, p in zip(gold_intent, got_intent, strict=True)) / len(rows),
        "macro_f1": sum(per_label[label]["f1"] for label in present) / len(present),
        "per_label": per_label,
    }

    gold_complaint = [bool(r["is_complaint"]) for r in rows]
    scores = [float(e["complaint"]["score"]) for e in judged]
    negative = [e["sentiment"]["label"] == "negative" for e in judged]
    negativity = [float(e["sentiment"]["probabilities"].get("negative", 0.0)) for e in judged]
    complaint = {
        "stage": {**prf(gold_complaint, [bool(e["complaint"]["is_complaint"]) for e in judged]),
                  "auc": auc(gold_complaint, scores)},
        "negative_sentiment": {**prf(gold_complaint, negative), "auc": auc(gold_complaint, negativity)},
    }  # fmt: skip

    gold_welcome = [bool(r["welcome"]) for r in rows]
    welcome = {
        "stage": {**prf(gold_welcome, [bool(e["receptivity"]["welcome"]) for e in judged]),
                  "auc": auc(gold_welcome, [float(e["receptivity"]["score"]) for e in judged])},
        "addressed": prf(gold_welcome, [_addressed(e) for e in judged]),
    }  # fmt: skip
    return {"posts": len(rows), "intent": intent, "complaint": complaint, "welcome": welcome}


def _slices(rows: Sequence[dict[str, Any]]) -> Iterable[tuple[str, list[int]]]:
    yield "all", list(range(len(rows)))
    for name in ("fictional", "generic"):
        yield f"{name} brands", [i for i, r in enumerate(rows) if r["slice"] == name]
    yield "non-English", [i for i, r in enumerate(rows) if r["lang"] != "en"]


def report(split: str) -> dict[str, Any]:
    rows = load_seed(split)
    judged = judge(rows)
    out: dict[str, Any] = {"split": split}
    for name, indexes in _slices(rows):
        if indexes:
            out[name] = evaluate([rows[i] for i in indexes], [judged[i] for i in indexes])
    return out


def _pct(value: float) -> str:
    return f"{100 * value:5.1f}"


def print_report(result: dict[str, Any]) -> None:
    main = result["all"]
    print(f"seed set, {result['split']} split: {main['posts']:,} posts (data/seed/seed.jsonl)")
    intent = main["intent"]
    print(f"intent: macro-F1 {_pct(intent['macro_f1'])}, accuracy {_pct(intent['accuracy'])}")
    print(f"  {'label':<24}{'P':>6}{'R':>6}{'F1':>6}{'n':>5}")
    for label, m in intent["per_label"].items():
        print(
            f"  {label:<24}{_pct(m['precision'])} {_pct(m['recall'])} {_pct(m['f1'])}{int(m['support']):>5}"
        )
    print("complaint:                      P      R     F1    AUC")
    for key, name in (("stage", "complaint stage"), ("negative_sentiment", "baseline: negative sentiment")):
        m = main["complaint"][key]
        print(f"  {name:<28}{_pct(m['precision'])}  {_pct(m['recall'])}  {_pct(m['f1'])}  {m['auc']:.3f}")
    print("welcome (reply is welcome):     P      R     F1")
    for key, name in (("stage", "receptivity stage"), ("addressed", "baseline: addressed to brand")):
        m = main["welcome"][key]
        print(f"  {name:<28}{_pct(m['precision'])}  {_pct(m['recall'])}  {_pct(m['f1'])}")
    print("slices:                      posts  intent-F1  complaint-F1 (baseline)  welcome-P (baseline)")
    for name, part in result.items():
        if name in ("split", "all"):
            continue
        c, w = part["complaint"], part["welcome"]
        print(
            f"  {name:<26}{part['posts']:>6}      {_pct(part['intent']['macro_f1'])}"
            f"        {_pct(c['stage']['f1'])} ({_pct(c['negative_sentiment']['f1'])})"
            f"         {_pct(w['stage']['precision'])} ({_pct(w['addressed']['precision'])})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=("validation", "train", "all"), default="validation")
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")
    args = parser.parse_args()
    result = report(args.split)
    if args.json:
        print(json.dumps(result))
    else:
        print_report(result)


if __name__ == "__main__":
    main()
