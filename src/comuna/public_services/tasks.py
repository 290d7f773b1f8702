"""Tasks of the public services reports side: thin, ids in, safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from comuna.public_services.models import RequestUpdate


@task()
def notify_reporter(update_id: int) -> int:
    """E-mail the reporter about one public update of their report (when they left an
    e-mail). Returns how many messages were sent (0 or 1)."""
    update = RequestUpdate.objects.select_related("request__service").filter(pk=update_id).first()
    if update is None or not update.request.contact_email:
        return 0
    request = update.request
    url = settings.SITE_URL.rstrip("/") + reverse("public_services:track", args=[request.token])
    with override("es"):
        subject = _("Your report #%(number)s: %(what)s") % {
            "number": request.pk,
            "what": update.get_kind_display(),
        }
        lines = [
            _("Your report “%(service)s” (#%(number)s) has news: %(what)s.")
            % {
                "service": request.service.name,
                "number": request.pk,
                "what": update.get_kind_display(),
            }
        ]
        if update.text:
            lines.append(update.text)
        lines.append(_("Follow it here: %(url)s") % {"url": url})
        body = "\n\n".join(str(line) for line in lines)
    send_mail(subject, body, None, [request.contact_email])
    return 1
