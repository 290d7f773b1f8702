"""Models of the assemblies module: polls and elections (imported by models.py).

Polls
=====

A `Poll` asks the assembly a yes/no/abstain question, usually on a motion. Its decision type
gives the majority rule (`DECISION_RULES`), copied onto the poll when it is created and onto
the verdict when it closes:

- simple majority of the votes cast: more yes than no; abstentions are not votes cast;
- absolute majority of the members: more yes than half of the assembly's voting members
  (accepted delegates with a valid mandate, present or not);
- two thirds of the votes cast: yes at least twice no (yes ≥ ⅔ of yes + no), abstentions
  not counted.

The presence quorum (`Assembly.quorum_share` of the voting members, counted in people) is
checked when the poll opens and again when it closes; a poll that closes without quorum is
void (`Verdict.NO_QUORUM`). With `weighted` each vote counts the delegate's `vote_weight`.

Who voted and what was voted live in separate tables with nothing linking them:

- `RollEntry` is the roll: one row per delegate who voted (a unique constraint: one vote per
  delegate per poll). For a named poll the roll also says what the delegate chose; for a
  secret poll `choice` stays empty.
- `Ballot` holds what was voted: one row per unit of vote (a weight of 3 is three rows), with
  a random UUID as key, no time, no voter, no sequence. When a secret poll closes its ballots
  and roll are rewritten in random order, so that not even the order in which rows were
  stored links a voter to a ballot.

A paper poll has no electronic ballots: the tellers enter the totals (`poll_record_paper`).

Elections
=========

An `Election` fills `seats` among `Candidate`s by approval, Schulze or STV (Scottish rules,
SSI 2007/42, counted by `engines.tally`), with an optional gender quota (a minimum of women
and of men). Elections are secret: `ElectionRoll` says who voted, `ElectionBallot` what (a
ranking of candidate ids, or the approved ones), unlinked as for polls. Tellers may enter
paper ballots one by one. The count's result (winners, STV rounds, Schulze ranking) is
stored as the engine's JSON.

Refusals (a vote after the close, a second vote, a vote by a guest, an observer or an
expired mandate, a poll opened or closed without quorum) are kept in `VoteRefusal`.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DECISION_RULES",
    "Ballot",
    "Candidate",
    "Choice",
    "DecisionType",
    "Election",
    "ElectionBallot",
    "ElectionMethod",
    "ElectionRoll",
    "MajorityRule",
    "Poll",
    "PollMode",
    "PollStatus",
    "RefusalReason",
    "RollEntry",
    "Verdict",
    "VoteRefusal",
]


class MajorityRule(models.TextChoices):
    SIMPLE = "simple", _("Simple majority of the votes cast")
    ABSOLUTE = "absolute", _("Absolute majority of the voting members")
    TWO_THIRDS = "two_thirds", _("Two thirds of the votes cast")


class DecisionType(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary decision (motion or procedure)")
    AMENDMENT = "amendment", _("Amendment to a motion")
    MINUTES = "minutes", _("Approval of the minutes")
    DECLARATION = "declaration", _("Final declaration")
    RULES = "rules", _("Rules of the assembly or founding charter")
    RECALL = "recall", _("Recall of a mandate")


#: The majority rule of each decision type.
DECISION_RULES: dict[str, str] = {
    DecisionType.ORDINARY: MajorityRule.SIMPLE,
    DecisionType.AMENDMENT: MajorityRule.SIMPLE,
    DecisionType.MINUTES: MajorityRule.SIMPLE,
    DecisionType.DECLARATION: MajorityRule.ABSOLUTE,
    DecisionType.RULES: MajorityRule.TWO_THIRDS,
    DecisionType.RECALL: MajorityRule.TWO_THIRDS,
}


class PollStatus(models.TextChoices):
    DRAFT = "draft", _("Not open yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class PollMode(models.TextChoices):
    ELECTRONIC = "electronic", _("Delegates vote on the platform")
    PAPER = "paper", _("Paper ballots counted by tellers")


class Choice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")


class Verdict(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("Void: no quorum")
    COUNTED = "counted", _("Counted")


class Poll(models.Model):
    """A yes/no/abstain vote of an assembly (see the module docstring)."""

    assembly = models.ForeignKey(
        "assemblies.Assembly",
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="polls",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    motion = models.ForeignKey(
        "assemblies.Motion",
        verbose_name=_("motion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="polls",
    )
    amendment = models.ForeignKey(
        "assemblies.Amendment",
        verbose_name=_("amendment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="polls",
    )
    title = models.CharField(_("question"), max_length=300)
    decision_type = models.CharField(
        _("decision type"), max_length=12, choices=DecisionType.choices
    )
    rule = models.CharField(_("majority rule"), max_length=12, choices=MajorityRule.choices)
    secret = models.BooleanField(_("secret ballot"), default=False)
    weighted = models.BooleanField(_("votes weighted"), default=False)
    mode = models.CharField(
        _("how it is voted"), max_length=10, choices=PollMode.choices, default=PollMode.ELECTRONIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PollStatus.choices, default=PollStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Quorum as found when the poll opened and when it closed (people, not weights).
    members_at_open = models.PositiveIntegerField(_("voting members at the opening"), default=0)
    present_at_open = models.PositiveIntegerField(_("present at the opening"), default=0)
    quorum_at_open = models.PositiveIntegerField(_("quorum at the opening"), default=0)
    members_at_close = models.PositiveIntegerField(_("voting members at the close"), default=0)
    present_at_close = models.PositiveIntegerField(_("present at the close"), default=0)
    quorum_at_close = models.PositiveIntegerField(_("quorum at the close"), default=0)
    # The result: weighted totals, people who voted, and the members' weight the absolute
    # majority is measured against.
    yes = models.PositiveIntegerField(_("yes"), default=0)
    no = models.PositiveIntegerField(_("no"), default=0)
    abstain = models.PositiveIntegerField(_("abstentions"), default=0)
    voters = models.PositiveIntegerField(_("delegates who voted"), default=0)
    members_weight = models.PositiveIntegerField(_("votes of all voting members"), default=0)
    tellers = models.CharField(_("tellers"), max_length=300, blank=True)
    verdict = models.CharField(
        _("verdict"), max_length=10, choices=Verdict.choices, blank=True, default=""
    )
    verdict_rule = models.CharField(
        _("rule applied"), max_length=12, choices=MajorityRule.choices, blank=True, default=""
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering: ClassVar[list[str]] = ["assembly", "number"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["assembly", "status"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assembly", "number"], name="poll_number_once"),
            models.CheckConstraint(
                condition=Q(rule__in=MajorityRule.values), name="poll_rule_known"
            ),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(status="closed"), name="poll_verdict_when_closed"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (Q(closed_at__isnull=False) & ~Q(verdict="") & ~Q(verdict_rule="")),
                name="poll_closed_has_verdict",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | Q(opened_at__isnull=True)
                | Q(closed_at__gte=F("opened_at")),
                name="poll_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def cast(self) -> int:
        """Votes cast (yes + no); abstentions are not votes cast."""
        return self.yes + self.no


class RollEntry(models.Model):
    """One delegate who voted in a poll. `choice` is kept for named polls only."""

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="roll"
    )
    participant = models.ForeignKey(
        "assemblies.Participant",
        verbose_name=_("delegate"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    weight = models.PositiveIntegerField(_("weight"), default=1)
    choice = models.CharField(
        _("vote"), max_length=8, choices=Choice.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll")
        ordering: ClassVar[list[str]] = ["participant__number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["poll", "participant"], name="poll_one_vote_each"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="roll_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}: {self.participant_id}"


class Ballot(models.Model):
    """One unit of vote of a poll: what, never who, when or in which order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="ballots"
    )
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering: ClassVar[list[str]] = ["choice"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["poll", "choice"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(choice__in=Choice.values), name="ballot_choice_known"
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


# Elections ------------------------------------------------------------------------------------


class ElectionMethod(models.TextChoices):
    APPROVAL = "approval", _("Approval voting")
    SCHULZE = "schulze", _("Schulze method")
    STV = "stv", _("Single transferable vote (Scottish rules)")


class Election(models.Model):
    """An election of `seats` people among candidates (see the module docstring)."""

    assembly = models.ForeignKey(
        "assemblies.Assembly",
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="elections",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    method = models.CharField(_("method"), max_length=10, choices=ElectionMethod.choices)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    min_women = models.PositiveSmallIntegerField(_("at least this many women"), default=0)
    min_men = models.PositiveSmallIntegerField(_("at least this many men"), default=0)
    mode = models.CharField(
        _("how it is voted"), max_length=10, choices=PollMode.choices, default=PollMode.ELECTRONIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PollStatus.choices, default=PollStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    members_at_open = models.PositiveIntegerField(_("voting members at the opening"), default=0)
    present_at_open = models.PositiveIntegerField(_("present at the opening"), default=0)
    quorum_at_open = models.PositiveIntegerField(_("quorum at the opening"), default=0)
    members_at_close = models.PositiveIntegerField(_("voting members at the close"), default=0)
    present_at_close = models.PositiveIntegerField(_("present at the close"), default=0)
    quorum_at_close = models.PositiveIntegerField(_("quorum at the close"), default=0)
    voters = models.PositiveIntegerField(_("delegates who voted"), default=0)
    paper_ballots = models.PositiveIntegerField(_("paper ballots entered"), default=0)
    tellers = models.CharField(_("tellers"), max_length=300, blank=True)
    verdict = models.CharField(
        _("verdict"), max_length=10, choices=Verdict.choices, blank=True, default=""
    )
    winners = models.JSONField(_("elected, in order of election"), default=list, blank=True)
    result = models.JSONField(_("count"), default=dict, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering: ClassVar[list[str]] = ["assembly", "number"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["assembly", "status"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assembly", "number"], name="election_number_once"),
            models.CheckConstraint(
                condition=Q(method__in=ElectionMethod.values), name="election_method_known"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="election_seats_positive"),
            models.CheckConstraint(
                condition=Q(min_women__lte=F("seats") - F("min_men")),
                name="election_quota_fits_seats",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(verdict="")),
                name="election_closed_has_verdict",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Candidate(models.Model):
    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="candidates"
    )
    position = models.PositiveSmallIntegerField(_("place on the ballot"))
    participant = models.ForeignKey(
        "assemblies.Participant",
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    gender = models.CharField(_("gender"), max_length=6, blank=True, default="")
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering: ClassVar[list[str]] = ["election", "position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["election", "name"], name="candidate_name_once"),
            models.UniqueConstraint(
                fields=["election", "position"], name="candidate_position_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ElectionRoll(models.Model):
    """One delegate who voted in an election (never what)."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="roll"
    )
    participant = models.ForeignKey(
        "assemblies.Participant",
        verbose_name=_("delegate"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("election roll entry")
        verbose_name_plural = _("election roll")
        ordering: ClassVar[list[str]] = ["participant__number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["election", "participant"], name="election_one_ballot_each"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election_id}: {self.participant_id}"


class ElectionBallot(models.Model):
    """One ballot of an election: a list of preference levels, each a list of candidate ids
    (best first; several ids in a level are ranked equal; approval: one level)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="ballots"
    )
    ranking = models.JSONField(_("preferences"), default=list)

    class Meta:
        verbose_name = _("election ballot")
        verbose_name_plural = _("election ballots")
        ordering: ClassVar[list[str]] = ["id"]

    def __str__(self) -> str:
        return str(self.id)


# Refusals -------------------------------------------------------------------------------------


class RefusalReason(models.TextChoices):
    NOT_OPEN = "not_open", _("The vote is not open")
    CLOSED = "closed", _("The vote is closed")
    ALREADY_VOTED = "already_voted", _("Second vote")
    NOT_PARTICIPANT = "not_participant", _("Not a participant of the assembly")
    NO_VOTE = "no_vote", _("Observer or guest: no vote")
    CREDENTIAL = "credential", _("Credential not accepted")
    MANDATE_EXPIRED = "mandate_expired", _("Mandate expired")
    NOT_PRESENT = "not_present", _("Not checked in")
    NO_QUORUM = "no_quorum", _("No quorum")
    PAPER = "paper", _("Paper vote: counted by the tellers")


class VoteRefusal(models.Model):
    """A refused vote or a refused opening, kept for the record."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    assembly = models.ForeignKey(
        "assemblies.Assembly",
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="vote_refusals",
    )
    poll = models.ForeignKey(
        Poll,
        verbose_name=_("poll"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="refusals",
    )
    election = models.ForeignKey(
        Election,
        verbose_name=_("election"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="refusals",
    )
    participant = models.ForeignKey(
        "assemblies.Participant",
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=RefusalReason.choices)
    message = models.CharField(_("message"), max_length=300)

    class Meta:
        verbose_name = _("refused vote")
        verbose_name_plural = _("refused votes")
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["assembly", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reason}"
