"""Scheduled digests, Discord-free: subscriptions, periods, what is due, and what a digest says.

The shell (bot/digest/scheduler.py) asks `DigestCore.due(now)` once a minute for the
deliveries it may post, posts each `content_of(...)`, then reports back with
`delivered`, `nothing_new` or `failed`. Whether a digest is due is decided here
alone. Every decision takes ``now`` as an argument, so tests control the clock.
Texts are plain: the front ends escape them for their own medium.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import Engine
from storage.digests import (
    DeliveryRow,
    SubscriptionRow,
    add_subscription,
    claim_delivery,
    complete_delivery,
    count_subscriptions,
    delete_subscription,
    fail_delivery,
    get_subscription,
    list_subscriptions,
    newest_contribution_id,
    newest_division_id,
    resume_subscription,
    take_untold_pauses,
)
from storage.query import parse_query
from storage.search import SearchFilters, SortOrder, search
from storage.store import debate_ids_titled, latest_import_finished
from storage.votes_store import find_divisions

from commands.core import HOUSES, HansardCore
from commands.inputs import user_input
from commands.replies import ResultItem
from commands.text import truncate
from commands.vote_replies import DivisionItem
from commands.votes import division_item

DEFAULT_TIMEZONE = "Europe/London"
# A digest lists many contributions in one embed: a line each.
DIGEST_EXCERPT_CHARS = 180
# "new": as new Hansard arrives, once after each import.
FREQUENCIES = ("daily", "weekly", "new")
# A personal alert belongs to no server: it goes to its user's DMs.
PERSONAL_GUILD_ID = 0
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Subscription ids are 32-bit in the store: a larger number names no subscription.
MAX_SUBSCRIPTION_ID = 2**31 - 1
_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.h]?([0-5]\d)?\s*$")


@dataclass(frozen=True, slots=True)
class DigestSettings:
    # A period missed while the bot was down is still delivered if it is at most this old.
    grace: dt.timedelta = dt.timedelta(hours=6)
    # A claim whose process died is taken over after this long.
    lease: dt.timedelta = dt.timedelta(minutes=10)
    # Retries after a failed post wait base * 2^(failures-1), capped.
    backoff_base: dt.timedelta = dt.timedelta(minutes=5)
    backoff_cap: dt.timedelta = dt.timedelta(hours=2)
    pause_after: int = 5
    guild_limit: int = 25
    alerts_per_user: int = 20
    max_items: int = 20


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    guild_id: int
    channel_id: int
    user_id: int
    frequency: str = "daily"
    time_of_day: str = "08:00"
    weekday: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    member: str | None = None
    bill: str | None = None
    keywords: str | None = None
    house: str | None = None
    # A personal alert for ``user_id``, delivered to their DMs (``channel_id`` is that DM channel).
    personal: bool = False


@dataclass(frozen=True, slots=True)
class SubscriptionInfo:
    subscription: SubscriptionRow
    next_run: dt.datetime | None

    @property
    def id(self) -> int:
        return self.subscription.id

    @property
    def guild_id(self) -> int:
        return self.subscription.guild_id

    @property
    def channel_id(self) -> int:
        return self.subscription.channel_id

    @property
    def paused(self) -> bool:
        return self.subscription.paused

    @property
    def paused_reason(self) -> str | None:
        return self.subscription.paused_reason

    @property
    def personal(self) -> bool:
        return self.subscription.user_id is not None

    @property
    def description(self) -> str:
        return describe(self.subscription)

    def described(self, quote: Callable[[str], str]) -> str:
        return describe(self.subscription, quote)


@dataclass(slots=True)
class DigestReply:
    """The answer to a subscription command: a message, and the subscription it concerns."""

    message: str
    ok: bool
    subscription: SubscriptionInfo | None = None
    candidates: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DigestSection:
    debate: str
    items: list[ResultItem]


@dataclass(slots=True)
class DigestContent:
    title: str
    sections: list[DigestSection]
    shown: int
    total: int
    total_capped: bool
    # The divisions since the last delivery (on the subscription's Bill, or matching its keywords), oldest first.
    divisions: list[DivisionItem] = field(default_factory=list)

    def total_text(self) -> str:
        return f"{self.total:,}+" if self.total_capped else f"{self.total:,}"

    def summary(self) -> str:
        """What the digest holds, in words: "12 contributions and 2 divisions", "1 division"."""
        parts = []
        if self.total or not self.divisions:
            parts.append(f"{self.total_text()} contribution{'' if self.total == 1 and not self.total_capped else 's'}")
        if self.divisions:
            parts.append(f"{len(self.divisions):,} division{'' if len(self.divisions) == 1 else 's'}")
        return " and ".join(parts)


@dataclass(frozen=True, slots=True)
class Claimed:
    subscription: SubscriptionRow
    delivery: DeliveryRow

    @property
    def nonce(self) -> int:
        """The same for every attempt at one delivery: Discord drops a repeat with an enforced nonce."""
        return 7_000_000_000 + self.delivery.id

    @property
    def marker(self) -> str:
        """Printed on the posted digest, so that a later attempt can find it in the channel's history."""
        return f"Digest #{self.subscription.id}, delivery {self.delivery.id}"

    @property
    def may_be_posted(self) -> bool:
        """An earlier attempt may have reached Discord: its process died after posting, or the
        post failed in a way that does not prove Discord dropped it."""
        return self.delivery.attempts > 1


_WORD = re.compile(r"[\w']+(?:-[\w']+)*")
_OPERATORS = {"and", "or", "not"}


def _division_words(keywords: str) -> list[str]:
    """The words of a subscription's keywords that a division's text must hold, each."""
    return [word for word in _WORD.findall(keywords) if word.lower() not in _OPERATORS]


def _is_stored_id(number: int) -> bool:
    """Whether ``number`` can be a subscription's id at all (asking the store about others fails)."""
    return 0 < number <= MAX_SUBSCRIPTION_ID


def parse_time_of_day(text: str) -> tuple[int, int]:
    match = _TIME.match(text)
    if match is None:
        raise ValueError(f"“{text[:20]}” is not a time of day: write it like 08:00 or 17:30.")
    return int(match.group(1)), int(match.group(2) or 0)


def local_occurrence(day: dt.date, hour: int, minute: int, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of the wall-clock time on ``day`` in ``zone``.

    On the spring-forward day a time in the missing hour is read with the
    offset before the change; on the fall-back day a repeated time means its
    first occurrence. Either way each local date has exactly one occurrence.
    """
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(dt.UTC)


def _occurrences(subscription: SubscriptionRow, now: dt.datetime, step: int) -> Iterator[dt.datetime]:
    """Scheduled instants (UTC) on the local days from ``now``'s, walking ``step`` days at a time."""
    zone = ZoneInfo(subscription.timezone)
    hour, minute = parse_time_of_day(subscription.time_of_day)
    day = now.astimezone(zone).date()
    for offset in range(0, 9):
        candidate_day = day + dt.timedelta(days=offset * step)
        if subscription.frequency != "weekly" or candidate_day.weekday() == subscription.weekday:
            yield local_occurrence(candidate_day, hour, minute, zone)


def latest_period(subscription: SubscriptionRow, now: dt.datetime) -> dt.datetime:
    """The most recent scheduled instant at or before ``now`` (UTC)."""
    return next(instant for instant in _occurrences(subscription, now, -1) if instant <= now)


def next_period(subscription: SubscriptionRow, now: dt.datetime) -> dt.datetime:
    """The first scheduled instant after ``now`` (UTC)."""
    return next(instant for instant in _occurrences(subscription, now, 1) if instant > now)


def describe(subscription: SubscriptionRow, quote: Callable[[str], str] = str) -> str:
    """The subscription in words; ``quote`` renders what a user typed or the store holds
    (member, bill, keywords) for the front end's medium."""
    if subscription.frequency == "new":
        when = "as new Hansard arrives"
    else:
        day = (
            f"weekly on {WEEKDAYS[subscription.weekday or 0].title()}s"
            if subscription.frequency == "weekly"
            else "daily"
        )
        when = f"{day} at {subscription.time_of_day} ({subscription.timezone})"
    parts = [f"#{subscription.id}: {when}"]
    if subscription.member_name:
        parts.append(f"by {quote(subscription.member_name)}")
    if subscription.bill_title:
        parts.append(f"on {quote(subscription.bill_title)}")
    if subscription.keywords:
        parts.append(f"matching “{quote(subscription.keywords)}”")
    if subscription.house:
        parts.append(f"in the {subscription.house}")
    if not (subscription.member_name or subscription.bill_title or subscription.keywords or subscription.house):
        parts.append("all new contributions")
    return " ".join(parts)


@functools.cache
def _zone_names() -> tuple[str, ...]:
    """Every time zone name, sorted. Listed once: it reads the time zone database (~9 ms)."""
    return tuple(sorted(available_timezones()))


def timezone_names(prefix: str, limit: int = 25) -> list[str]:
    wanted = prefix.strip().lower()
    names = _zone_names()
    first = [DEFAULT_TIMEZONE] if DEFAULT_TIMEZONE.lower().startswith(wanted) or not wanted else []
    return (first + [n for n in names if wanted in n.lower() and n != DEFAULT_TIMEZONE])[:limit]


class DigestCore:
    def __init__(
        self, core: HansardCore, settings: DigestSettings | None = None, claimant: str = "hansard-bot"
    ) -> None:
        self.core = core
        self.settings = settings or DigestSettings()
        self.claimant = claimant

    @property
    def engine(self) -> Engine:
        return self.core.engine

    def info(self, subscription: SubscriptionRow, now: dt.datetime) -> SubscriptionInfo:
        scheduled = not subscription.paused and subscription.frequency != "new"
        return SubscriptionInfo(subscription, next_run=next_period(subscription, now) if scheduled else None)

    # --- managing subscriptions ---------------------------------------------------------------

    @user_input
    def subscribe(self, request: SubscribeRequest, now: dt.datetime) -> DigestReply:
        frequency = request.frequency.strip().lower()
        if frequency not in FREQUENCIES:
            return DigestReply("Frequency must be daily or weekly (or new: after each import).", ok=False)
        if request.personal and not (request.member or request.bill or request.keywords):
            return DigestReply("An alert needs something to watch: keywords, a member or a bill.", ok=False)
        weekday = None
        if frequency == "weekly":
            if not request.weekday or request.weekday.strip().lower() not in WEEKDAYS:
                return DigestReply("A weekly digest needs a weekday, e.g. Monday.", ok=False)
            weekday = WEEKDAYS.index(request.weekday.strip().lower())
        try:
            hour, minute = parse_time_of_day(request.time_of_day)
        except ValueError as exc:
            return DigestReply(str(exc), ok=False)
        timezone = request.timezone.strip() or DEFAULT_TIMEZONE
        # Only real zone names: ZoneInfo("Europe") would find a folder, not a zone.
        if timezone not in _zone_names():
            return DigestReply(f"“{timezone[:40]}” is not a time zone: use a name like Europe/London.", ok=False)
        member_id = member_name = bill_title = house = None
        if request.member:
            resolved = self.core.names.resolve_member(request.member)
            if resolved.candidate is None:
                return DigestReply(resolved.message or "", ok=False, candidates=[c.name for c in resolved.candidates])
            member_id, member_name = int(resolved.candidate.key), resolved.candidate.name
        if request.bill:
            resolved = self.core.names.resolve_bill(request.bill)
            if resolved.candidate is None:
                return DigestReply(resolved.message or "", ok=False, candidates=[c.name for c in resolved.candidates])
            bill_title = str(resolved.candidate.key)
        if request.house:
            house = HOUSES.get(request.house.strip().lower())
            if house is None:
                return DigestReply("House must be Commons or Lords.", ok=False)
        keywords = " ".join((request.keywords or "").split())[:300] or None
        if keywords and parse_query(keywords).is_empty:
            return DigestReply("The keywords have no words to look for.", ok=False)
        if request.personal:
            if count_subscriptions(self.engine, user_id=request.user_id) >= self.settings.alerts_per_user:
                return DigestReply(
                    f"You already have {self.settings.alerts_per_user} alerts, the most allowed. "
                    "Remove one with /alert remove first.",
                    ok=False,
                )
        elif count_subscriptions(self.engine, guild_id=request.guild_id) >= self.settings.guild_limit:
            return DigestReply(
                f"This server already has {self.settings.guild_limit} digest subscriptions, the most allowed. "
                "Remove one with /digest unsubscribe first.",
                ok=False,
            )
        time_of_day = f"{hour:02d}:{minute:02d}"
        filters_key = "|".join(
            str(part or "")
            for part in (
                frequency,
                weekday,
                time_of_day,
                timezone,
                member_id,
                bill_title,
                (keywords or "").lower(),
                house,
            )
        )
        stored = add_subscription(
            self.engine,
            {
                "guild_id": PERSONAL_GUILD_ID if request.personal else request.guild_id,
                "user_id": request.user_id if request.personal else None,
                "channel_id": request.channel_id,
                "created_by": request.user_id,
                "frequency": frequency,
                "weekday": weekday,
                "time_of_day": time_of_day,
                "timezone": timezone,
                "member_id": member_id,
                "member_name": member_name,
                "bill_title": bill_title,
                "keywords": keywords,
                "house": house,
                "filters_key": filters_key,
                # A new subscription starts from now: it is not flooded with the past.
                "watermark_id": newest_contribution_id(self.engine),
                "division_watermark_id": newest_division_id(self.engine),
                "paused": False,
                "consecutive_failures": 0,
                "created_at": now,
            },
        )
        if stored is None:
            return DigestReply(
                "You already have that exact alert."
                if request.personal
                else "This channel already has that exact digest.",
                ok=False,
            )
        info = self.info(stored, now)
        return DigestReply(f"Subscribed: {info.description}.", ok=True, subscription=info)

    def subscriptions(self, guild_id: int | None, channel_id: int | None, now: dt.datetime) -> list[SubscriptionInfo]:
        """A guild's subscriptions (of one channel, if given); every guild's when ``guild_id`` is None."""
        return [self.info(s, now) for s in list_subscriptions(self.engine, guild_id=guild_id, channel_id=channel_id)]

    def upcoming(self, now: dt.datetime, limit: int = 5) -> tuple[int, list[SubscriptionInfo]]:
        """How many subscriptions are active, and the ``limit`` that run soonest."""
        active = [self.info(s, now) for s in list_subscriptions(self.engine, active_only=True)]
        # Alerts that follow imports have no next time to show.
        timed = [info for info in active if info.next_run is not None]
        soonest = sorted(timed, key=lambda info: (info.next_run, info.id))[:limit]
        return len(active), soonest

    def unsubscribe(self, guild_id: int, subscription_id: int) -> DigestReply:
        if _is_stored_id(subscription_id) and delete_subscription(self.engine, guild_id, subscription_id):
            return DigestReply(f"Removed digest #{subscription_id}.", ok=True)
        return DigestReply(f"There is no digest #{subscription_id} in this server.", ok=False)

    def resume(self, guild_id: int, subscription_id: int) -> DigestReply:
        if _is_stored_id(subscription_id) and resume_subscription(self.engine, guild_id, subscription_id):
            return DigestReply(f"Digest #{subscription_id} will be delivered again.", ok=True)
        return DigestReply(f"There is no digest #{subscription_id} in this server.", ok=False)

    # --- personal alerts ----------------------------------------------------------------------

    def alerts(self, user_id: int, now: dt.datetime) -> list[SubscriptionInfo]:
        return [self.info(s, now) for s in list_subscriptions(self.engine, user_id=user_id)]

    def remove_alert(self, user_id: int, alert_id: int) -> DigestReply:
        if _is_stored_id(alert_id) and delete_subscription(self.engine, PERSONAL_GUILD_ID, alert_id, user_id=user_id):
            return DigestReply(f"Removed alert #{alert_id}.", ok=True)
        return DigestReply(f"You have no alert #{alert_id}.", ok=False)

    def resume_alert(self, user_id: int, alert_id: int) -> DigestReply:
        if _is_stored_id(alert_id) and resume_subscription(self.engine, PERSONAL_GUILD_ID, alert_id, user_id=user_id):
            return DigestReply(f"Alert #{alert_id} will be delivered again.", ok=True)
        return DigestReply(f"You have no alert #{alert_id}.", ok=False)

    def pause_notices(self, user_id: int, now: dt.datetime) -> list[SubscriptionInfo]:
        """The user's alerts paused since they were last told: each is told once."""
        return [self.info(s, now) for s in take_untold_pauses(self.engine, user_id)]

    def subscription(self, subscription_id: int, guild_id: int | None = None) -> SubscriptionRow | None:
        if not _is_stored_id(subscription_id):
            return None
        found = get_subscription(self.engine, subscription_id)
        if found is None or (guild_id is not None and found.guild_id != guild_id):
            return None
        return found

    # --- content ----------------------------------------------------------------------------

    def content(
        self,
        subscription: SubscriptionRow,
        after_id: int,
        up_to_id: int | None,
        divisions_after: int | None = None,
        divisions_up_to: int | None = None,
    ) -> DigestContent | None:
        """What is new for ``subscription`` in the id ranges (contributions grouped by debate,
        and divisions); None when nothing is."""
        divisions = self.divisions(
            subscription,
            subscription.division_watermark_id if divisions_after is None else divisions_after,
            divisions_up_to,
        )
        # Read from the store, not the in-memory index: another process may have imported new debates.
        debate_ids = tuple(debate_ids_titled(self.engine, subscription.bill_title)) if subscription.bill_title else ()
        if subscription.bill_title and not debate_ids:
            return self._content(subscription, [], 0, False, divisions) if divisions else None
        filters = SearchFilters(
            member_ids=(subscription.member_id,) if subscription.member_id else (),
            debate_ids=debate_ids,
            house=subscription.house,
            after_id=after_id,
            up_to_id=up_to_id,
        )
        query = parse_query(subscription.keywords) if subscription.keywords else None
        page = search(self.engine, query, filters, SortOrder.OLDEST, limit=self.settings.max_items)
        if not page.hits and not divisions:
            return None
        sections: OrderedDict[str, list[ResultItem]] = OrderedDict()
        for hit in page.hits:
            item = self.core.result_item(hit.contribution, hit.highlighted, excerpt_length=DIGEST_EXCERPT_CHARS)
            sections.setdefault(item.debate_title or item.title, []).append(item)
        found = [DigestSection(debate, items) for debate, items in sections.items()]
        return self._content(subscription, found, page.total, page.total_capped, divisions)

    def _content(
        self,
        subscription: SubscriptionRow,
        sections: list[DigestSection],
        total: int,
        total_capped: bool,
        divisions: list[DivisionItem],
    ) -> DigestContent:
        return DigestContent(
            title=truncate(f"Hansard digest — {describe(subscription)}", 256),
            sections=sections,
            shown=sum(len(section.items) for section in sections),
            total=total,
            total_capped=total_capped,
            divisions=divisions,
        )

    def divisions(self, subscription: SubscriptionRow, after_id: int, up_to_id: int | None) -> list[DivisionItem]:
        """The divisions in the id range on the subscription's Bill, or whose question, motion,
        debate or heading hold every one of its keywords' words; oldest first. A subscription
        with neither reports no divisions."""
        if not (subscription.bill_title or subscription.keywords):
            return []
        words = _division_words(subscription.keywords) if subscription.keywords else []
        if subscription.keywords and not words:
            return []
        rows = find_divisions(
            self.engine,
            house=subscription.house,
            bill_titles=(subscription.bill_title,) if subscription.bill_title else (),
            words=words,
            after_id=after_id,
            up_to_id=up_to_id,
            limit=self.settings.max_items,
        )
        return [division_item(row) for row in reversed(rows)]

    def preview(self, subscription: SubscriptionRow) -> DigestContent | None:
        """What the next digest would hold if it ran now."""
        return self.content(subscription, subscription.watermark_id, None)

    # --- delivering ---------------------------------------------------------------------------

    def due(self, now: dt.datetime) -> list[Claimed]:
        """Claim every delivery that is due at ``now``: the latest period of each active
        subscription, if it is within the grace window, not yet delivered, and not waiting
        for a retry."""
        claimed: list[Claimed] = []
        newest_import = latest_import_finished(self.engine)
        for subscription in list_subscriptions(self.engine, active_only=True):
            if subscription.retry_at is not None and subscription.retry_at > now:
                continue
            if subscription.frequency == "new":
                # One delivery per import, however late: the period is when the import finished.
                if newest_import is None or newest_import <= subscription.created_at:
                    continue
                period = newest_import
            else:
                period = latest_period(subscription, now)
                if now - period > self.settings.grace or period < subscription.created_at:
                    continue
            delivery = claim_delivery(self.engine, subscription, period, self.claimant, now, self.settings.lease)
            if delivery is not None:
                claimed.append(Claimed(subscription, delivery))
        return claimed

    def content_of(self, claimed: Claimed) -> DigestContent | None:
        delivery = claimed.delivery
        return self.content(
            claimed.subscription,
            delivery.watermark_from,
            delivery.watermark_to,
            delivery.division_watermark_from,
            delivery.division_watermark_to,
        )

    def delivered(self, claimed: Claimed, message_id: int, now: dt.datetime) -> bool:
        """Record the post; False if this process had lost the claim meanwhile (it is logged)."""
        return complete_delivery(self.engine, claimed.delivery, message_id, now)

    def nothing_new(self, claimed: Claimed, now: dt.datetime) -> bool:
        return complete_delivery(self.engine, claimed.delivery, None, now)

    def failed(self, claimed: Claimed, error: str, now: dt.datetime, permanent: bool) -> SubscriptionRow | None:
        """Record a failed post and when to retry; ``permanent`` failures (no access, no channel)
        count towards pausing the subscription."""
        failures = claimed.subscription.consecutive_failures + 1
        delay = min(self.settings.backoff_base * 2 ** (failures - 1), self.settings.backoff_cap)
        # A DM refused is the user's choice (DMs closed, bot blocked): retrying would not change it.
        pause_after = 1 if claimed.subscription.user_id is not None else self.settings.pause_after
        return fail_delivery(
            self.engine, claimed.delivery, error, now + delay, pause_after, counts_toward_pause=permanent
        )
