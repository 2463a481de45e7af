"""Public, read-only pages: published verdicts with their ClaimReview JSON-LD (no login)."""

from django.urls import path

from claims import public_views

urlpatterns = [
    path("", public_views.review_list, name="public_reviews"),
    path("<uuid:verdict_id>/", public_views.review_detail, name="public_review"),
]
