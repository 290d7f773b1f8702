"""Tasks of the dialogue: thin, ids in, an action called, safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from comuna.core.models import Membership, Role
from comuna.dialogue import actions
from comuna.dialogue.models import DemandReminder, ReminderKind


@task()
def send_reminders() -> dict[str, int]:
    """Daily: remind the filing organisations of demands due soon, overdue, very overdue."""
    return actions.reminders_send(today=timezone.localdate()).as_dict()


@task()
def send_reminder(reminder_id: int) -> int:
    """E-mail one reminder to the coordinators and spokespeople of the filing organisation
    who have an e-mail address. Returns how many were written to."""
    reminder = (
        DemandReminder.objects.select_related("demand__owner", "demand__body")
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None:
        return 0
    demand = reminder.demand
    emails = sorted(
        set(
            Membership.objects.active()
            .filter(
                organisation_id=demand.owner_id,
                role__in=[Role.COORDINATOR, Role.SPOKESPERSON],
            )
            .exclude(person__email="")
            .values_list("person__email", flat=True)
        )
    )
    if not emails:
        return 0
    url = settings.SITE_URL.rstrip("/") + reverse("dialogue:demand", args=[demand.pk])
    due = demand.due_on.strftime("%d/%m/%Y") if demand.due_on else ""
    with override("es"):
        if reminder.kind == ReminderKind.BEFORE:
            subject = _("The demand “%(title)s” is due on %(day)s") % {
                "title": demand.title,
                "day": due,
            }
        elif reminder.kind == ReminderKind.OVERDUE:
            subject = _("%(body)s has not answered “%(title)s” in time") % {
                "body": demand.body.name,
                "title": demand.title,
            }
        else:
            subject = _("“%(title)s” is more than 30 days overdue") % {"title": demand.title}
        body = _(
            "The demand “%(title)s” of %(owner)s to %(body)s was due on %(day)s. Follow it, "
            "record the answer or escalate it: %(url)s"
        ) % {
            "title": demand.title,
            "owner": demand.owner.name,
            "body": demand.body.name,
            "day": due,
            "url": url,
        }
    send_mail(subject, body, None, emails)
    return len(emails)
