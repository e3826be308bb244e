"""Insights: who talks about a brand, what about, how they feel, share of voice, word of mouth.

Pure functions over :class:`~goodwill.insights.facts.PostFact` rows; :func:`load_facts`
reads them from the store once. The CLI, the HTML report and the desk only render what
these functions return. Importing this package is light: topic discovery and the report
load their dependencies when called.
"""

from __future__ import annotations

from goodwill.insights.facts import BrandMention, FactFilter, PostFact, brand_audiences, load_facts
from goodwill.insights.feel import SentimentCount, SentimentPoint, net_sentiment, sentiment_over_time
from goodwill.insights.tiers import audience_tier, follower_tier
from goodwill.insights.voice import VoiceShare, share_of_voice
from goodwill.insights.voices import Voice, influence_score, top_voices
from goodwill.insights.wom import AudienceRow, TierRow, negative_by_audience, negative_by_tier

__all__ = [
    "AudienceRow",
    "BrandMention",
    "FactFilter",
    "PostFact",
    "SentimentCount",
    "SentimentPoint",
    "TierRow",
    "Voice",
    "VoiceShare",
    "audience_tier",
    "brand_audiences",
    "follower_tier",
    "influence_score",
    "load_facts",
    "negative_by_audience",
    "negative_by_tier",
    "net_sentiment",
    "sentiment_over_time",
    "share_of_voice",
    "top_voices",
]
