"""Pure-Python extraction: raw article -> clean body, metadata and claims. No Django here."""

from claims.extraction.pipeline import ExtractedArticle, ExtractedClaim, extract_article

# Stored on every claim; bump whenever extraction output can change for the same input.
EXTRACTOR_VERSION = "2026.12.5"

__all__ = ["EXTRACTOR_VERSION", "ExtractedArticle", "ExtractedClaim", "extract_article"]
