"""SQLModel tables of the store.

The schema itself is created and upgraded by the Alembic migrations in
``storage/migrations``; these classes are what the code reads and writes.
The full-text index (an FTS5 table on SQLite, a tsvector column on PostgreSQL)
is not modelled here because it differs per back end: see ``storage/search.py``
and the migrations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Index, Table, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.sql.expression import false
from sqlmodel import Field, SQLModel

from storage.records import split_paragraphs


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime on both back ends: stored in UTC, read back with tzinfo=UTC.

    (SQLite keeps no offset and hands back naive values; this is the one place that mends that.)
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Member(SQLModel, table=True):
    """A Member as Hansard names them: one row per (house, name)."""

    __table_args__ = (UniqueConstraint("member_key", name="uq_member_key"),)

    id: int | None = Field(default=None, primary_key=True)
    # Lower-cased "house|name": the natural key that both input formats can give.
    member_key: str = Field(max_length=300)
    name: str = Field(max_length=255, index=True)
    house: str | None = Field(default=None, max_length=64)
    party: str | None = Field(default=None, max_length=128)
    # The ParlParse person id where known, to join terms of one person.
    person_ref: str | None = Field(default=None, max_length=128)


class Debate(SQLModel, table=True):
    """A proceeding (a bill's debates, an adjournment debate, written answers on a subject...)."""

    __table_args__ = (UniqueConstraint("debate_key", name="uq_debate_key"),)

    id: int | None = Field(default=None, primary_key=True)
    # Lower-cased "title|session".
    debate_key: str = Field(max_length=600)
    title: str = Field(max_length=500, index=True)
    session: str | None = Field(default=None, max_length=32)
    is_bill: bool = Field(default=False, index=True)


class Subject(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("name", name="uq_subject_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)


class ContributionSubject(SQLModel, table=True):
    __tablename__ = "contribution_subject"

    contribution_id: int = Field(foreign_key="contribution.id", primary_key=True, ondelete="CASCADE")
    subject_id: int = Field(foreign_key="subject.id", primary_key=True, index=True)


class Contribution(SQLModel, table=True):
    """One speech by one Member, as parsed (see ``storage.records.ParsedContribution``)."""

    __table_args__ = (
        UniqueConstraint("uri", name="uq_contribution_uri"),
        Index("ix_contribution_member_date", "member_id", "sitting_date"),
        Index("ix_contribution_debate_date", "debate_id", "sitting_date"),
        Index("ix_contribution_house_date", "house", "sitting_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uri: str = Field(max_length=500)
    # Intranet-form ids have 14-15 digits: wider than a 32-bit integer.
    contribution_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    # Free text from the sources has no reliable length limit: Text, not VARCHAR(n), so that a
    # long heading is stored rather than failing a whole batch on PostgreSQL.
    title: str = Field(sa_column=Column(Text, nullable=False))
    member_id: int | None = Field(default=None, foreign_key="member.id")
    member_name: str | None = Field(default=None, sa_column=Column(Text))
    party: str | None = Field(default=None, sa_column=Column(Text))
    house: str | None = Field(default=None, max_length=64)
    houses: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sitting_date: dt.date | None = Field(default=None, index=True)
    debate_id: int | None = Field(default=None, foreign_key="debate.id")
    debate_title: str | None = Field(default=None, sa_column=Column(Text))
    debate_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    contribution_type: str = Field(sa_column=Column(Text, nullable=False))
    # Each reference as a dict with the fields of ``storage.records.Reference``.
    references: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    session: str | None = Field(default=None, max_length=32, index=True)
    chamber: str | None = Field(default=None, sa_column=Column(Text))
    subjects: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    index_timestamp: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # The speech, its paragraphs joined by blank lines (see `paragraphs`): what the
    # full-text index reads.
    text: str = Field(sa_column=Column(Text, nullable=False))
    extra: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    source: str = Field(max_length=1000)
    # Not indexed: nothing looks contributions up by these, and every index costs each import.
    import_run_id: int | None = Field(default=None, foreign_key="import_run.id")
    imported_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

    @property
    def speaker(self) -> str | None:
        """Who spoke, as Hansard printed it: the Member's printed name, or for a speaker parlparse
        could not identify ("The First Deputy Chairman", "Hon. Members") the name it kept."""
        return self.member_name or self.extra.get("speaker_name") or None

    @property
    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.text)


class ImportRun(SQLModel, table=True):
    """One run of the importer, for the admin commands and for resuming."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=1000)
    requested_by: str | None = Field(default=None, max_length=255)
    status: str = Field(default="running", max_length=32)
    started_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    files_done: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    # "file:line: reason" strings, capped so one bad archive cannot bloat the row.
    errors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# The Core tables behind the models, for bulk statements and aggregate queries
# (typed as plain tables, which mypy follows better than SQLModel's class attributes).
class TwfyDayVersion(SQLModel, table=True):
    """The version of a TheyWorkForYou day whose contributions the store holds (see storage/twfy_versions.py)."""

    __tablename__ = "twfy_day_version"

    series: str = Field(max_length=32, primary_key=True)  # TWFY's folder: "debates", "lordswms"...
    day: dt.date = Field(primary_key=True)
    version: str = Field(max_length=8)  # "a", "b"...


class TwfyRedirect(SQLModel, table=True):
    """A superseded TheyWorkForYou id and where it went: old addresses keep resolving."""

    __tablename__ = "twfy_redirect"

    old_gid: str = Field(max_length=200, primary_key=True)
    new_gid: str = Field(max_length=200, index=True)
    matchtype: str = Field(max_length=32)  # perfectmatch, changes, altques, removed...


CONTRIBUTION_TABLE: Table = Contribution.__table__  # type: ignore[attr-defined]
MEMBER_TABLE: Table = Member.__table__  # type: ignore[attr-defined]
DEBATE_TABLE: Table = Debate.__table__  # type: ignore[attr-defined]
SUBJECT_TABLE: Table = Subject.__table__  # type: ignore[attr-defined]
CONTRIBUTION_SUBJECT_TABLE: Table = ContributionSubject.__table__  # type: ignore[attr-defined]
IMPORT_RUN_TABLE: Table = ImportRun.__table__  # type: ignore[attr-defined]
TWFY_DAY_VERSION_TABLE: Table = TwfyDayVersion.__table__  # type: ignore[attr-defined]
TWFY_REDIRECT_TABLE: Table = TwfyRedirect.__table__  # type: ignore[attr-defined]


class Subscription(SQLModel, table=True):
    """A channel's subscription to a scheduled digest of new contributions."""

    __table_args__ = (UniqueConstraint("channel_id", "filters_key", name="uq_subscription_channel_filters"),)

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    channel_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    created_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    frequency: str = Field(max_length=16)  # "daily" or "weekly"
    weekday: int | None = None  # 0 = Monday, for weekly digests
    time_of_day: str = Field(max_length=5)  # "HH:MM", local to ``timezone``
    timezone: str = Field(default="Europe/London", max_length=64)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    member_name: str | None = Field(default=None, max_length=255)
    bill_title: str | None = Field(default=None, max_length=500)
    keywords: str | None = Field(default=None, max_length=300)
    house: str | None = Field(default=None, max_length=64)
    # Everything that makes two subscriptions "identical", normalised, for the unique constraint.
    filters_key: str = Field(max_length=1200)
    # Contributions with an id above this have not been delivered yet.
    watermark_id: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    paused: bool = False
    paused_reason: str | None = Field(default=None, max_length=500)
    consecutive_failures: int = 0
    retry_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # A personal alert: the user whose DMs it goes to (guild_id is then PERSONAL_GUILD_ID).
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    # Whether that user has been told why the alert was paused.
    pause_told: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    # Divisions with an id above this have not been delivered yet.
    division_watermark_id: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, default=0, server_default="0")
    )


class Delivery(SQLModel, table=True):
    """One digest period of one subscription: claimed before posting, so it is posted once."""

    __table_args__ = (UniqueConstraint("subscription_id", "period", name="uq_delivery_period"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True, ondelete="CASCADE")
    # The scheduled time of the period, in UTC.
    period: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status: str = Field(default="claimed", max_length=16)  # claimed, sent, empty, failed
    claimed_by: str = Field(max_length=100)
    claimed_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The contributions this delivery covers: ids in (watermark_from, watermark_to].
    watermark_from: int = Field(sa_column=Column(BigInteger, nullable=False))
    watermark_to: int = Field(sa_column=Column(BigInteger, nullable=False))
    attempts: int = 0
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    sent_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    error: str | None = Field(default=None, max_length=500)
    # The divisions it covers: ids in (division_watermark_from, division_watermark_to].
    division_watermark_from: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, default=0, server_default="0")
    )
    division_watermark_to: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, default=0, server_default="0")
    )


SUBSCRIPTION_TABLE: Table = Subscription.__table__  # type: ignore[attr-defined]
DELIVERY_TABLE: Table = Delivery.__table__  # type: ignore[attr-defined]


class ImportLock(SQLModel, table=True):
    """One row: who is importing now. One import at a time, across every bot process."""

    __tablename__ = "import_lock"

    id: int = Field(default=1, primary_key=True)
    holder: str | None = Field(default=None, max_length=100)
    requested_by: str | None = Field(default=None, max_length=255)
    source: str | None = Field(default=None, max_length=1000)
    started_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Refreshed as the import goes on; a lock not refreshed for a while belonged to a dead process.
    heartbeat_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Where the holder runs: on the same host, a holder whose pid is gone is dead at once.
    host: str | None = Field(default=None, max_length=255)
    pid: int | None = None


IMPORT_LOCK_TABLE: Table = ImportLock.__table__  # type: ignore[attr-defined]


class FeedPosition(SQLModel, table=True):
    """How far a followed TheyWorkForYou mirror's changedates.txt has been imported."""

    __tablename__ = "feed_position"

    # The changedates.txt followed: its URL, or its absolute path.
    location: str = Field(max_length=1000, primary_key=True)
    # The last line imported (1-based), and what it said, to notice a rewritten file.
    line: int
    published: int = Field(sa_column=Column(BigInteger, nullable=False))
    file_name: str = Field(max_length=255)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


FEED_POSITION_TABLE: Table = FeedPosition.__table__  # type: ignore[attr-defined]


class Division(SQLModel, table=True):
    """One recorded vote of the Commons or the Lords (see ``storage.divisions``).

    Keyed by house, date and number: a day's newer version replaces an older one,
    and a division met again in a divisions-only extract is the same row.
    """

    __table_args__ = (
        UniqueConstraint("house", "division_date", "number", name="uq_division_house_date_number"),
        # Divisions by date in either House (the unique key above serves one House's dates, and so
        # the divisions held during a Member's terms).
        Index("ix_division_date", "division_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    house: str = Field(max_length=64)
    division_date: dt.date
    number: int
    gid: str = Field(max_length=200)
    version: str = Field(max_length=8)
    # A divisions-only extract carries less of the debate around the division than the day's own file.
    from_extract: bool = False
    colnum: str | None = Field(default=None, max_length=16)
    time: str | None = Field(default=None, max_length=8)
    hansard_url: str | None = Field(default=None, sa_column=Column(Text))
    # Official counts (Commons ayes/noes without tellers; Lords contents/not-contents).
    ayes: int
    noes: int
    teller_ayes: int | None = None
    teller_noes: int | None = None
    debate_id: int | None = Field(default=None, foreign_key="debate.id", ondelete="SET NULL")
    debate_title: str | None = Field(default=None, sa_column=Column(Text))
    bill_title: str | None = Field(default=None, sa_column=Column(Text))
    heading: str | None = Field(default=None, sa_column=Column(Text))
    question: str | None = Field(default=None, sa_column=Column(Text))
    motion: str | None = Field(default=None, sa_column=Column(Text))
    content_hash: str = Field(max_length=64)
    source: str = Field(max_length=1000)
    imported_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class DivisionVote(SQLModel, table=True):
    """One name in one division's lists: a vote, a teller's, or by proxy."""

    __tablename__ = "division_vote"
    # A Member's votes are looked up by person; the index holds every column that lookup reads, so
    # thousands of votes come from one range of one index, with no visit to the table.
    __table_args__ = (
        Index("ix_division_vote_person", "person_ref", "division_id", "vote", "teller", "against_party", "proxy"),
    )

    division_id: int = Field(foreign_key="division.id", primary_key=True, ondelete="CASCADE")
    # The member (or lord) id of the list; a person id or the listed name where it gives no member id.
    voter_ref: str = Field(max_length=300, primary_key=True)
    vote: str = Field(max_length=16, primary_key=True)  # aye, no, content, not-content
    person_ref: str | None = Field(default=None, max_length=64)
    name: str = Field(max_length=300)
    party: str | None = Field(default=None, max_length=128)
    teller: bool = False
    proxy: str | None = Field(default=None, max_length=300)
    # Voted against the majority of their own party in this division (whipped parties only).
    against_party: bool = False


DIVISION_TABLE: Table = Division.__table__  # type: ignore[attr-defined]
DIVISION_VOTE_TABLE: Table = DivisionVote.__table__  # type: ignore[attr-defined]
