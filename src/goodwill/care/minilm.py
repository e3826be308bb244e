"""The care desk's name for the offline MiniLM encoder, which now lives in goodwill.embeddings.

It moved so that the enrichment pipeline's ``accurate`` mode can use it without
importing the care package; this module keeps ``goodwill.care.minilm`` working.
"""

from __future__ import annotations

from goodwill.embeddings import DIMENSIONS, INSTALL_HINT, MAX_TOKENS, MiniLMEncoder, embeddings_available

__all__ = ["DIMENSIONS", "INSTALL_HINT", "MAX_TOKENS", "MiniLMEncoder", "embeddings_available"]
