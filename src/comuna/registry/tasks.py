"""Registry tasks: thin, ids in, an action called, safe to run twice."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from comuna.registry import actions
from comuna.registry.models import Mandate


@task()
def expire_mandates() -> dict[str, int]:
    """Daily: expire ended mandates and warn those ending within 60 days."""
    return actions.mandates_expire(today=timezone.localdate())


@task()
def send_expiry_warning(mandate_id: int) -> bool:
    mandate = Mandate.objects.select_related("person", "organisation").filter(pk=mandate_id).first()
    if mandate is None or not mandate.person.email:
        return False
    with override("es"):
        subject = _("Your mandate ends on %(day)s") % {"day": mandate.end.strftime("%d/%m/%Y")}
        body = _(
            "Your mandate as spokesperson of %(organisation)s ends on %(day)s. The citizens' "
            "assembly should elect the next spokesperson before that day."
        ) % {"organisation": mandate.organisation.name, "day": mandate.end.strftime("%d/%m/%Y")}
    send_mail(subject, body, None, [mandate.person.email])
    return True
