"""The API token admin: everyone's tokens, read-only, with a revoke action; never a hash."""

from django.test import Client
from django.urls import reverse

from studies.accounts.models import ApiToken
from studies.common.models import AuditAction, AuditEvent
from tests.accounts.conftest import make_token
from tests.factories import UserFactory

CHANGELIST = reverse("admin:accounts_apitoken_changelist")


def test_it_lists_everyones_tokens_without_their_hashes(admin_client):
    ada_token, _key = make_token(UserFactory(username="ada"), name="Zapier export")
    make_token(UserFactory(username="bob"), name="Bob's sync")

    listed = admin_client.get(CHANGELIST)
    opened = admin_client.get(reverse("admin:accounts_apitoken_change", args=[ada_token.pk]))

    assert listed.status_code == opened.status_code == 200
    assert [token.name for token in listed.context["cl"].result_list] == [
        "Bob's sync",
        "Zapier export",
    ]
    for page in (listed, opened):
        assert ada_token.key_hash not in page.content.decode()
    # Every field is read-only: the change page has nothing to type into.
    assert list(opened.context["adminform"].form.fields) == []


def test_nobody_adds_a_token_in_the_admin(admin_client):
    response = admin_client.get(reverse("admin:accounts_apitoken_add"))

    assert response.status_code == 403


def test_an_admin_revokes_tokens_and_each_revocation_is_recorded(admin_client):
    first, _key = make_token(UserFactory(username="ada"), name="Zapier export")
    second, _key = make_token(UserFactory(username="bob"), name="Bob's sync")
    kept, _key = make_token(UserFactory(username="cy"), name="Kept")

    response = admin_client.post(
        CHANGELIST,
        {"action": "revoke", "_selected_action": [str(first.pk), str(second.pk)]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["2 tokens revoked."]
    assert set(ApiToken.objects.filter(revoked_at__isnull=False)) == {first, second}
    assert ApiToken.objects.get(pk=kept.pk).revoked_at is None
    events = AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED)
    assert sorted(events.values_list("actor_username", "detail__owner")) == [
        ("root", "ada"),
        ("root", "bob"),
    ]


def test_staff_who_may_only_view_tokens_cannot_revoke_them(db):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    token, _key = make_token(UserFactory(username="ada"))
    client = Client()
    client.force_login(viewer)

    listed = client.get(CHANGELIST)
    client.post(CHANGELIST, {"action": "revoke", "_selected_action": [str(token.pk)]})

    assert listed.status_code == 200
    # Revoke was the only action they might have had: no action menu at all.
    assert listed.context["action_form"] is None
    assert ApiToken.objects.get().revoked_at is None
