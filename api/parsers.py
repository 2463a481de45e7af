"""Request parsers. JSON bodies are refused by size before being read into memory."""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from api.exceptions import PayloadTooLarge


class BoundedJSONParser(JSONParser):
    """Django caps form bodies at DATA_UPLOAD_MAX_MEMORY_SIZE; DRF's JSON parser reads the
    stream itself, so the cap is applied here."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            raise PayloadTooLarge(
                f"the JSON body is {length:,} bytes; the limit is {limit:,} "
                "(articles up to 5 MB: send larger files as multipart `file`)"
            )
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:  # json gives up on deep nesting with this, not a ValueError
            raise ParseError("JSON parse error - the body is nested too deeply") from None
