"""Hand-written representations stay equal to what the declared serializers would produce."""

from __future__ import annotations

import json

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from api.serializers.claims import ClaimSerializer
from api.serializers.events import EventSerializer, event_document
from claims.models import Claim
from eventlog.models import Event

pytestmark = pytest.mark.django_db


def as_json(data) -> dict:
    """What a client receives."""
    return json.loads(JSONRenderer().render(data))


def test_the_fast_claim_representation_equals_the_model_serializers(world):
    claims = list(Claim.objects.filter(dossier=world.dossier))
    assert any(claim.cluster_id for claim in claims)
    for claim in claims:
        generic = serializers.ModelSerializer.to_representation(ClaimSerializer(), claim)
        assert as_json(ClaimSerializer(claim).data) == as_json(generic)


def test_event_documents_carry_exactly_the_documented_fields(world):
    documented = set(EventSerializer().fields)
    for event in Event.objects.filter(team_id=world.team.id):
        assert set(event_document(event)) == documented
