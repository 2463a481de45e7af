"""The base of every request-body serializer: a field it does not know is an error."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers

# Sent by Django's own forms with a browser session; not a field of any resource.
_TRANSPORT_FIELDS = frozenset({"csrfmiddlewaretoken"})


class InputSerializer(serializers.Serializer):
    """Refuses body fields it does not take, naming each, instead of silently dropping them:
    `{"status": "published"}` on a create, or a typo such as `"ratng"`, would otherwise
    look accepted. Read-only fields (`status`, `author`, `team` on an edit, `created_at`)
    are not fields of an input serializer, so they are refused the same way."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable - _TRANSPORT_FIELDS)
            if unknown:
                accepted = ", ".join(sorted(writable)) or "none"
                raise serializers.ValidationError(
                    {
                        name: [f"not a field you can set here (accepted: {accepted})"]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)
