"""A user who appears in the log is deactivated from the admin, never deleted (issue 11)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dossiers.models import Role
from tests.factories import DossierFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def test_the_user_admin_deactivates_a_member_it_cannot_delete(client):
    admin_user = UserFactory(is_superuser=True)
    client.force_login(admin_user)
    analyst = member(DossierFactory().team, Role.ANALYST)

    refused = client.post(reverse("admin:auth_user_delete", args=[analyst.pk]), {"post": "yes"})
    assert get_user_model().objects.filter(pk=analyst.pk).exists()
    assert refused.status_code == 200  # the page naming the protected rows

    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [analyst.pk]},
    )
    analyst.refresh_from_db()
    assert not analyst.is_active
