"""Events in words, for the dossier board's recent activity and the change log: "analyst
drafted “Mostly false” on “Russia has withdrawn…”".

One phrase per event type of the dossiers and claims apps; another app's event (a webhook's)
is named by its type. The objects an event names are read in bulk, as they are now: an
object gone since (a claim retired by re-extraction) is named by its kind.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.text import Truncator

from claims.events import ClaimEventType, ClaimStreamType
from claims.models import Claim, ClaimCluster, Rating, Verdict
from dossiers.events import EventType, StreamType
from dossiers.models import Article, Dossier, QuestionStance, Role, Source, Team
from eventlog.models import Event

# {subject} is what the event's stream is; the other fields come from the event's data.
PHRASES: dict[str, str] = {
    EventType.TEAM_CREATED: "created the team {subject}",
    EventType.MEMBER_ADDED: "added {user} to {subject} as {role}",
    EventType.MEMBER_ROLE_CHANGED: "made {user} {role} in {subject}",
    EventType.MEMBER_REMOVED: "removed {user} from {subject}",
    EventType.DOSSIER_CREATED: "created the dossier {subject}",
    EventType.DOSSIER_UPDATED: "changed the {fields} of the dossier {subject}",
    EventType.SOURCE_ADDED: "added the source {subject}",
    EventType.SOURCE_UPDATED: "corrected the {fields} of the source {subject}",
    EventType.SOURCE_ARCHIVED: "archived the source {subject}",
    EventType.SOURCE_UNARCHIVED: "brought back the source {subject}",
    EventType.ARTICLE_UPLOADED: "uploaded {subject}",
    EventType.ARTICLE_METADATA_CORRECTED: "corrected the {fields} of {subject}",
    EventType.ARTICLE_ARCHIVED: "archived {subject}",
    EventType.ARTICLE_UNARCHIVED: "brought back {subject}",
    EventType.ARTICLE_EXTRACTION_REQUESTED: "asked for {subject} to be extracted again",
    EventType.ARTICLE_EXTRACTION_STARTED: "started extracting {subject}",
    EventType.CLAIMS_EXTRACTED: "extracted {count} claims from {subject}",
    EventType.ARTICLE_EXTRACTION_FAILED: "could not extract {subject}",
    EventType.DOSSIER_CLAIM_FORM_SET: "set the claim form of {subject} to {text}",
    EventType.QUESTION_STANCE_SCORED: "scored the stance of {subject}",
    EventType.QUESTION_STANCE_CORRECTED: "corrected the stance of {subject} to {label}",
    ClaimEventType.CLUSTER_FORMED: "formed the cluster {subject}",
    ClaimEventType.CLUSTER_UPDATED: "updated the cluster {subject}",
    ClaimEventType.CLUSTER_DISSOLVED: "dissolved the cluster {subject}",
    ClaimEventType.VERDICT_DRAFTED: "drafted {rating} on {subject}",
    ClaimEventType.VERDICT_FLAGGED_FOR_REVIEW: "flagged {rating} on {subject} for review",
    ClaimEventType.VERDICT_EDITED: "edited {rating} on {subject}",
    ClaimEventType.VERDICT_SUBMITTED: "submitted {rating} on {subject} for review",
    ClaimEventType.VERDICT_APPROVED: "approved {rating} on {subject}",
    ClaimEventType.VERDICT_CHANGES_REQUESTED: "requested changes to {rating} on {subject}",
    ClaimEventType.VERDICT_PUBLISHED: "published {rating} on {subject}",
    ClaimEventType.VERDICT_REVISED: "started a new revision of {rating} on {subject}",
    ClaimEventType.CLUSTERS_MERGED: "merged {count} cluster(s) into {subject}",
    ClaimEventType.CLAIM_MOVED: "moved a claim out of {subject}",
    ClaimEventType.CLAIM_LINK_REJECTED: "took a claim out of {subject}: not the same claim",
    ClaimEventType.CLAIM_LINK_CONFIRMED: "confirmed a claim belongs with {subject}",
    ClaimEventType.CLUSTER_WORDING_PINNED: "pinned the wording {text}",
    ClaimEventType.CLAIM_CORRECTED: "corrected the {label} of a claim in {subject}",
    ClaimEventType.CLAIM_MARKED_NOT_A_CLAIM: "marked a sentence of {subject} not a claim",
    ClaimEventType.CLAIM_RESTORED: "marked a sentence of {subject} a claim again",
    ClaimEventType.CLAIM_ALREADY_REVIEWED: "matched {subject} to a verdict already reviewed",
    ClaimEventType.COMMENT_ADDED: "commented on {subject}: {text}",
}

QUOTED = 70  # characters of a title, claim or comment quoted in a sentence


@dataclass(frozen=True)
class Activity:
    """One event said in words, with the admin page of what it changed (None: no page)."""

    event: Event
    actor: str
    text: str
    subject: str  # how the text names the object changed
    url: str | None

    @property
    def sentence(self) -> str:
        return f"{self.actor} {self.text}"


def quoted(text: str) -> str:
    return f"“{Truncator(' '.join(text.split())).chars(QUOTED)}”"


def _words_of_type(event_type: str) -> str:
    """ "WebhookSecretRotated" -> "webhook secret rotated" (for types with no phrase)."""
    return " ".join(re.findall(r"[A-Z][a-z]*", event_type)).lower()


class _Objects:
    """The objects a page of events names, each read once."""

    def __init__(self, events: list[Event]):
        ids: dict[str, set] = defaultdict(set)
        users = set()
        for event in events:
            ids[event.stream_type].add(event.stream_id)
            if event.type == ClaimEventType.COMMENT_ADDED:
                ids[ClaimStreamType.VERDICT].add(event.data.get("verdict_id"))
                ids[ClaimStreamType.CLUSTER].add(event.data.get("cluster_id"))
            if "user_id" in event.data:
                users.add(event.data["user_id"])
        self.rows = {
            StreamType.TEAM: Team.objects.in_bulk(ids[StreamType.TEAM]),
            StreamType.DOSSIER: Dossier.objects.in_bulk(ids[StreamType.DOSSIER]),
            StreamType.SOURCE: Source.objects.in_bulk(ids[StreamType.SOURCE]),
            StreamType.ARTICLE: Article.objects.defer("body", "raw_upload").in_bulk(
                ids[StreamType.ARTICLE]
            ),
            ClaimStreamType.CLUSTER: ClaimCluster.objects.in_bulk(
                ids[ClaimStreamType.CLUSTER] - {None}
            ),
            ClaimStreamType.VERDICT: Verdict.objects.select_related("cluster").in_bulk(
                ids[ClaimStreamType.VERDICT] - {None}
            ),
            ClaimStreamType.CLAIM: Claim.objects.in_bulk(ids[ClaimStreamType.CLAIM]),
        }
        self.users = get_user_model().objects.in_bulk(users)

    def get(self, stream_type: str, key):
        return self.rows.get(stream_type, {}).get(_uuid_key(key))

    def subject(self, stream_type: str, key) -> tuple[str, str | None]:
        """How a sentence names the object, and its admin page."""
        obj = self.get(stream_type, key)
        if obj is None:
            gone = " no longer there" if stream_type in self.rows else ""
            return f"a {stream_type}{gone}", None
        if isinstance(obj, Verdict):
            label = quoted(obj.cluster.canonical_text)
        elif isinstance(obj, Team | Source):
            label = obj.name
        elif isinstance(obj, ClaimCluster):
            label = quoted(obj.canonical_text)
        elif isinstance(obj, Claim):
            label = quoted(obj.text)
        else:
            label = quoted(obj.title or str(obj.pk))
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        return label, url


def _uuid_key(key):
    """in_bulk keys are UUIDs; event data holds them as strings."""
    try:
        return uuid.UUID(str(key))
    except ValueError:
        return key


def _fields(event: Event, objects: _Objects) -> tuple[dict[str, str], str | None]:
    data = event.data
    subject, url = objects.subject(event.stream_type, event.stream_id)
    fields = dict.fromkeys(("text", "label", "count", "user", "role"), "")
    fields.update(subject=subject, fields="details")
    if event.type == ClaimEventType.COMMENT_ADDED:
        on_verdict = data.get("verdict_id") is not None
        stream = ClaimStreamType.VERDICT if on_verdict else ClaimStreamType.CLUSTER
        target, url = objects.subject(stream, data.get("verdict_id") or data.get("cluster_id"))
        fields["subject"] = f"the verdict on {target}" if on_verdict else f"the cluster {target}"
        fields["text"] = quoted(data.get("body", ""))
        url = f"{url}#comments" if url else None
    if "user_id" in data:
        user = objects.users.get(data["user_id"])
        fields["user"] = user.get_username() if user else "a former user"
        fields["role"] = Role(data["role"]).label.lower() if data.get("role") else ""
    if "rating" in data:
        fields["rating"] = quoted(Rating(data["rating"]).label)
    else:
        verdict = objects.get(event.stream_type, event.stream_id)
        fields["rating"] = (
            quoted(verdict.get_rating_display()) if isinstance(verdict, Verdict) else "a verdict"
        )
    if "changes" in data:
        fields["fields"] = ", ".join(name.replace("_", " ") for name in data["changes"])
    if event.type == EventType.CLAIMS_EXTRACTED:
        fields["count"] = str(len(data.get("claims", [])))
    elif event.type == ClaimEventType.CLUSTERS_MERGED:
        fields["count"] = str(len(data.get("source_cluster_ids", [])))
    if event.type == EventType.DOSSIER_CLAIM_FORM_SET:
        fields["text"] = quoted(data.get("claim_form", ""))
    elif event.type == ClaimEventType.CLUSTER_WORDING_PINNED:
        fields["text"] = quoted(data.get("text", ""))
    elif event.type == EventType.QUESTION_STANCE_CORRECTED:
        fields["label"] = QuestionStance(data["label"]).label.lower()
    elif event.type == ClaimEventType.CLAIM_CORRECTED:
        fields["label"] = data.get("field", "").replace("_", " ")
    return fields, url


def describe_events(events) -> list[Activity]:
    """Each event as a sentence: who did what to which object."""
    events = list(events)
    objects = _Objects(events)
    activities = []
    for event in events:
        fields, url = _fields(event, objects)
        phrase = PHRASES.get(event.type)
        text = phrase.format_map(fields) if phrase else _words_of_type(event.type)
        actor = event.metadata.get("actor") or "system"
        activities.append(
            Activity(event=event, actor=actor, text=text, subject=fields["subject"], url=url)
        )
    return activities
