"""Fields shared by the API's serializers."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from rest_framework import serializers


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to a record the requesting user can see; others do not exist for them.

    `selector(user)` is one of the team-scoped selectors, e.g. `dossiers_for`.
    """

    default_error_messages = {
        "does_not_exist": "no {model} with id {pk_value} that you can see",
    }

    def __init__(self, *, selector: Callable[[object], QuerySet], model, **kwargs):
        self.selector = selector
        self.model_name = model._meta.verbose_name
        kwargs.setdefault("queryset", model.objects.all())  # for the schema's id type
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        return self.selector(self.context["request"].user)

    def fail(self, key, **kwargs):
        if key == "does_not_exist":
            kwargs["model"] = self.model_name
        super().fail(key, **kwargs)


class UsernameField(serializers.SlugRelatedField):
    """A user shown by username (the serializer's queryset must select_related the user)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", read_only=True, **kwargs)


class TextField(serializers.CharField):
    """A string and nothing else: DRF's CharField turns `12345` into "12345", which would
    store a number sent by mistake as an article."""

    default_error_messages = {"not_a_string": "a string is required, not {kind}"}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", kind=type(data).__name__)
        return super().to_internal_value(data)
