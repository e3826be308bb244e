"""Enrichment: stages that judge posts, assembled into a checked Pipeline.

Stages never touch the store: they take posts in and give judgements out, so the
same objects run in-process or on Dask workers.
"""

from __future__ import annotations

from goodwill.enrich.pipeline import Pipeline
from goodwill.enrich.stage import Stage, StageContext

__all__ = ["Pipeline", "Stage", "StageContext"]
