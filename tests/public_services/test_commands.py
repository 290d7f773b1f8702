"""`comuna api-key create|list|revoke`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comuna.core.models import hash_token
from comuna.public_services.models import ApiKey


@pytest.mark.django_db
def test_api_key_create_prints_the_key_once_and_stores_its_hash() -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "api_key",
        "create",
        "FixMyStreet móvil",
        "--contact",
        "dev@example.org",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    key = ApiKey.objects.get()
    assert raw.startswith("o311_") and key.digest == hash_token(raw)
    assert raw not in str(ApiKey.objects.values_list("name", "prefix", "contact", "digest"))
    assert "shown only now" in err.getvalue()
    listing = StringIO()
    call_command("api_key", "list", stdout=listing)
    assert key.prefix in listing.getvalue() and raw not in listing.getvalue()
    call_command("api_key", "revoke", key.prefix, stdout=StringIO())
    key.refresh_from_db()
    assert key.revoked_at is not None
    with pytest.raises(CommandError):
        call_command("api_key", "revoke", "nothing", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("api_key", "create", "  ", stdout=StringIO(), stderr=StringIO())
