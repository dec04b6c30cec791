"""Django admin: reference data is editable; correspondence is read-only (changes go through
the services, which record events)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from chancery.correspondence.models import Message


def test_admin_pages_render_and_correspondence_cannot_be_edited(
    client: Client, people: dict[str, Any], submit: Any
) -> None:
    message: Message = submit("<script>alert(1)</script> Félicitations")
    client.force_login(people["admin"])
    for url in [
        "/admin/",
        "/admin/directory/leader/",
        "/admin/directory/office/add/",
        "/admin/directory/principal/",
        "/admin/correspondence/message/",
        f"/admin/correspondence/message/{message.pk}/change/",
        "/admin/accounts/apitoken/",
        "/admin/auth/user/",
    ]:
        assert client.get(url).status_code == 200, url
    page = client.get(f"/admin/correspondence/message/{message.pk}/change/").content.decode()
    assert "<script>alert(1)</script>" not in page
    before = Message.objects.get(pk=message.pk).body
    response = client.post(
        f"/admin/correspondence/message/{message.pk}/change/",
        {"body": "changed", "state": "delivered"},
    )
    assert response.status_code == 403
    assert client.post(f"/admin/correspondence/message/{message.pk}/delete/").status_code == 403
    after = Message.objects.get(pk=message.pk)
    assert after.body == before and after.state == "received"


def test_admin_is_for_admins_only(client: Client, people: dict[str, Any]) -> None:
    client.force_login(people["officer"])
    assert client.get("/admin/").status_code == 302
