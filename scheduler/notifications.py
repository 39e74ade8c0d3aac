"""What is sent, to whom and why: each function writes messages to the outbox (`scheduler.outbox`),
in the recipient's language, and returns how many it wrote and how many people it could not reach.

- speaker links: each speaker with an email gets their private page link (freshly issued);
- publication: each speaker whose sessions were added, moved or cancelled since the version they
  were last told of gets one message listing all those changes, with an `.ics` of their sessions
  (the same calendar as their feed: same UIDs, same SEQUENCE);
- live: a cancellation, or a delay longer than LIVE_NOTICE_MINUTES, tells the session's speakers
  and the participants who bookmarked it, once per change (the outbox's dedupe key);
- registration: a participant's personal link, on registering and from the "lost my link" form.

Every message has a plain-text part, the event's name and a link to stop such messages. Texts are
gettext messages with named placeholders (`scheduler.translations`), so they are translated with the
interface. This module knows no Flask: callers give the site's address.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from scheduler import config, outbox
from scheduler.audit import Actor, record
from scheduler.effective import AgendaEntry, agenda_entries
from scheduler.ical import DEFAULT_UID_HOST, build_calendar, feed_info
from scheduler.live import Slot
from scheduler.models import (
    Event,
    LiveState,
    Participant,
    ScheduleVersion,
    Session,
    Speaker,
    VersionChange,
)
from scheduler.outbox import Attachment, Draft
from scheduler.participants import bookmarking, personal_link
from scheduler.speaker_links import renew_token, speaker_link
from scheduler.translations import for_language

SPEAKER, PARTICIPANT = "speaker", "participant"


@dataclass(frozen=True, slots=True)
class Mailing:
    """What writing messages needs from the settings, and the site's public address."""

    base_url: str
    held: frozenset[str]
    secret: str
    uid_host: str
    notice_minutes: int

    @classmethod
    def of(cls, settings: Mapping[str, Any], base_url: str | None = None) -> Mailing:
        url = base_url or settings.get("AGENDA_BASE_URL")
        if not url:
            raise outbox.OutboxError("set AGENDA_BASE_URL: messages carry links to the site")
        return cls(
            base_url=url.rstrip("/"),
            held=frozenset(outbox.held_kinds(settings)),
            # Stop links are signed with the site's key: the one the server uses, which `serve`
            # keeps in the instance folder when none is configured (never an empty key).
            secret=settings.get("SECRET_KEY") or config.instance_key(config.instance_path(), create=True),
            uid_host=settings.get("AGENDA_UID_HOST") or DEFAULT_UID_HOST,
            notice_minutes=int(settings.get("LIVE_NOTICE_MINUTES", 15)),
        )


@dataclass(frozen=True, slots=True)
class Written:
    """What a round of messages came to: written to the outbox, and people it could not reach."""

    queued: int = 0
    no_email: int = 0
    stopped: int = 0

    def __add__(self, other: Written) -> Written:
        return Written(
            self.queued + other.queued, self.no_email + other.no_email, self.stopped + other.stopped
        )


# --- stop links ----------------------------------------------------------------------------------


def stop_signature(secret: str, who: str, person_id: int) -> str:
    """The unguessable part of a stop link: it names one person and cannot be made for another."""
    return hmac.new(secret.encode(), f"stop:{who}:{person_id}".encode(), hashlib.sha256).hexdigest()[:32]


def stop_link(mailing: Mailing, who: str, person_id: int) -> str:
    return (
        f"{mailing.base_url}/messages/stop/{who}/{person_id}/{stop_signature(mailing.secret, who, person_id)}"
    )


def valid_stop(secret: str, who: str, person_id: int, signature: str) -> bool:
    return who in (SPEAKER, PARTICIPANT) and hmac.compare_digest(
        stop_signature(secret, who, person_id), signature
    )


def stop_messages(db: DbSession, event: Event, who: str, person_id: int) -> bool:
    """Honour a stop link: no more publication or live messages to this speaker, no more live
    messages to this participant. False when the person is not (or no longer) in the event."""
    person = db.get(Speaker if who == SPEAKER else Participant, person_id)
    if person is None or person.event_id != event.id:
        return False
    if isinstance(person, Speaker):
        person.messages_stopped = True
    else:
        person.live_messages = False
    record(db, None, "messages.stop", event=event, subject=f"{who} {person_id}")
    return True


# --- writing one message -------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"]+")


def _html(text: str) -> str:
    """The text as simple HTML: paragraphs, line breaks kept, links clickable."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        escaped = str(escape(block))
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return str(
        Markup('<!doctype html><html><body style="font-family:sans-serif">{}</body></html>').format(
            Markup("\n".join(paragraphs))
        )
    )


def _draft(
    language: str | None,
    name: str,
    email: str,
    event: Event,
    subject: str,
    body: str,
    footer: str,
    attachments: tuple[Attachment, ...] = (),
) -> Draft:
    text = f"{body.strip()}\n\n-- \n{event.name}\n{footer}\n"
    return Draft(name, email, language or "en", f"{event.name}: {subject}", text, _html(text), attachments)


def _put(
    db: DbSession, event: Event, mailing: Mailing, draft: Draft, kind: str, reason: str, key: str | None
) -> int:
    written = outbox.put(
        db, event, draft, kind=kind, reason=reason, held=kind in mailing.held, dedupe_key=key
    )
    return int(written is not None)


def reading_language(person: Speaker | Participant) -> str | None:
    """The language a person reads messages in: a participant's is the one they read the site in
    (their `language` picks an interpretation channel, and stands in when that is not known)."""
    return getattr(person, "interface_language", None) or person.language


def _greeting(language: str | None, name: str) -> str:
    return for_language(language).gettext("Dear %(name)s,") % {"name": name}


# --- speaker links -------------------------------------------------------------------------------


def speaker_links(db: DbSession, event: Event, mailing: Mailing, *, actor: Actor) -> Written:
    """Put each speaker with an email a message with their private page link, issued afresh (the
    old link stops working: only a link's hash is stored, so an old one cannot be re-sent)."""
    queued = no_email = 0
    for speaker in event.speakers:
        if not speaker.email:
            no_email += 1
            continue
        t = for_language(speaker.language)
        link = speaker_link(mailing.base_url, renew_token(db, speaker))
        body = t.gettext(
            "%(greeting)s\n\nThis is your private page for %(event)s: it shows your sessions as they are "
            "planned, and lets you tell the programme team when you cannot make a time.\n\n%(link)s\n\n"
            "Keep this link to yourself: anyone who has it can see your page. Any link sent before stops "
            "working."
        ) % {"greeting": _greeting(speaker.language, speaker.name), "event": event.name, "link": link}
        footer = t.gettext("To stop messages about your sessions: %(link)s") % {
            "link": stop_link(mailing, SPEAKER, speaker.id)
        }
        draft = _draft(speaker.language, speaker.name, speaker.email, event,
                       t.gettext("your speaker page"), body, footer)  # fmt: skip
        queued += _put(db, event, mailing, draft, "speaker-links", f"speaker links for {speaker.key}", None)
    done = Written(queued, no_email)
    record(db, actor, "messages.speaker_links", event=event, detail={"queued": queued, "no_email": no_email})
    return done


# --- publication ---------------------------------------------------------------------------------


def _when(language: str | None, room: str | None, start: datetime | None, end: datetime | None) -> str:
    t = for_language(language)
    return t.gettext("%(day)s %(start)s–%(end)s, %(room)s") % {
        "day": f"{start:%Y-%m-%d}" if start else "?",
        "start": f"{start:%H:%M}" if start else "?",
        "end": f"{end:%H:%M}" if end else "?",
        "room": room or "?",
    }


def _change_line(language: str | None, change: VersionChange) -> str:
    t = for_language(language)
    title = change.session.title
    after = _when(
        language, change.after_room and change.after_room.name, change.after_start, change.after_end
    )
    before = _when(language, change.before_room and change.before_room.name, change.before_start,
                   change.before_end)  # fmt: skip
    if change.kind == "new":
        return t.gettext("New: “%(title)s”, %(when)s") % {"title": title, "when": after}
    if change.kind == "moved":
        return t.gettext("Moved: “%(title)s”, now %(when)s (was %(before)s)") % {
            "title": title, "when": after, "before": before,
        }  # fmt: skip
    return t.gettext("Cancelled: “%(title)s” (was %(before)s)") % {"title": title, "before": before}


def _changes_by_session(
    db: DbSession, event: Event, version: ScheduleVersion, since: int | None
) -> dict[int, list[tuple[int, VersionChange]]]:
    """The changes of published versions after `since` up to `version`, with their version's number,
    by session, in publication order: one query for every speaker."""
    query = (
        select(ScheduleVersion.number, VersionChange)
        .join(ScheduleVersion, ScheduleVersion.id == VersionChange.version_id)
        .where(ScheduleVersion.event_id == event.id, ScheduleVersion.number <= version.number)
        .order_by(ScheduleVersion.number, VersionChange.id)
    )
    if since is not None:
        query = query.where(ScheduleVersion.number > since)
    found: dict[int, list[tuple[int, VersionChange]]] = {}
    for number, change in db.execute(query):
        found.setdefault(change.session_id, []).append((number, change))
    return found


def _since(told: int | None, per_session: Iterable[list[tuple[int, VersionChange]]]) -> list[VersionChange]:
    """The changes of versions after `told`, in publication order."""
    found = [(n, c) for changes in per_session for n, c in changes if told is None or n > told]
    return [change for _, change in sorted(found, key=lambda pair: (pair[0], pair[1].id))]


def entries_by_speaker(entries: Iterable[AgendaEntry]) -> dict[int, list[AgendaEntry]]:
    found: dict[int, list[AgendaEntry]] = {}
    for entry in entries:
        for speaker in entry.session.speakers:
            found.setdefault(speaker.id, []).append(entry)
    return found


def speaker_calendar(
    event: Event, speaker: Speaker, entries: Iterable[AgendaEntry], mailing: Mailing
) -> bytes:
    """The speaker's sessions (`entries`) as their calendar feed gives them (same name, UIDs, SEQUENCE)."""
    feed = feed_info(event, f"{event.name}: {speaker.name}", mailing.uid_host)
    return build_calendar(feed, entries, lambda key: f"{mailing.base_url}/sessions/{key}")


def publication(
    db: DbSession, event: Event, version: ScheduleVersion, mailing: Mailing, *, actor: Actor | None
) -> Written:
    """One message per speaker whose sessions changed since the version they were last told of."""
    told = [speaker.told_version for speaker in event.speakers]
    since = None if None in told else min(told, default=None)  # type: ignore[type-var]
    changes = _changes_by_session(db, event, version, since)
    entries = entries_by_speaker(agenda_entries(db, version))
    sessions_of: dict[int, list[int]] = {}
    for session in event.sessions:  # dropped sessions too: their cancellation is news
        for speaker in session.speakers:
            sessions_of.setdefault(speaker.id, []).append(session.id)
    done = Written()
    for speaker in event.speakers:
        mine = _since(speaker.told_version, [changes.get(s, []) for s in sessions_of.get(speaker.id, [])])
        if mine:
            done += _publication_message(
                db, event, version, speaker, mine, entries.get(speaker.id, []), mailing
            )
    record(db, actor, "messages.publication", event=event, subject=f"version {version.number}",
           detail={"queued": done.queued, "no_email": done.no_email, "stopped": done.stopped})  # fmt: skip
    return done


def _publication_message(
    db: DbSession,
    event: Event,
    version: ScheduleVersion,
    speaker: Speaker,
    changes: Sequence[VersionChange],
    entries: Sequence[AgendaEntry],
    mailing: Mailing,
) -> Written:
    if not speaker.email:
        return Written(no_email=1)
    if speaker.messages_stopped:
        return Written(stopped=1)
    t = for_language(speaker.language)
    lines = "\n".join(f"- {_change_line(speaker.language, change)}" for change in changes)
    body = t.ngettext(
        "%(greeting)s\n\nThe agenda of %(event)s has changed for your session:\n\n%(changes)s\n\n"
        "The attached calendar file updates the entries your calendar already has.",
        "%(greeting)s\n\nThe agenda of %(event)s has changed for your sessions:\n\n%(changes)s\n\n"
        "The attached calendar file updates the entries your calendar already has.",
        len({change.session_id for change in changes}),
    ) % {"greeting": _greeting(speaker.language, speaker.name), "event": event.name, "changes": lines}
    footer = t.gettext("To stop messages about your sessions: %(link)s") % {
        "link": stop_link(mailing, SPEAKER, speaker.id)
    }
    calendar = Attachment(
        f"{event.slug}.ics", "text/calendar", speaker_calendar(event, speaker, entries, mailing)
    )
    subject = t.gettext("changes to your sessions (version %(number)s)") % {"number": version.number}
    draft = _draft(speaker.language, speaker.name, speaker.email, event, subject, body, footer, (calendar,))
    key = f"publication:{version.id}:{SPEAKER}:{speaker.id}"
    queued = _put(db, event, mailing, draft, "publication", f"version {version.number}", key)
    speaker.told_version = version.number
    return Written(queued)


# --- live changes on the day ---------------------------------------------------------------------


def worth_telling(cancelled: bool, delay_minutes: int, action: str, mailing: Mailing) -> bool:
    """Only what people can act on: a cancellation, or a delay longer than the notice threshold."""
    if action == "cancel":
        return cancelled
    return action == "delay" and delay_minutes > mailing.notice_minutes


def live_change(
    db: DbSession, event: Event, slot: Slot, action: str, mailing: Mailing, *, actor: Actor | None
) -> Written:
    """Tell the session's speakers and bookmarkers of a cancellation or a long delay, once per change
    (the session's live revision names the change in the dedupe key)."""
    if not worth_telling(slot.facts.cancelled, slot.facts.delay_minutes, action, mailing):
        return Written()
    state = db.get(LiveState, slot.session_id)
    revision = state.revision if state is not None else 0
    session = slot_session(db, slot)
    followers = bookmarking(db, [slot.session_id]).get(slot.session_id, [])
    people: list[tuple[str, Speaker | Participant]] = [(SPEAKER, s) for s in session.speakers]
    people += [(PARTICIPANT, p) for p in db.scalars(select(Participant).where(Participant.id.in_(followers)))]
    done = Written()
    for who, person in people:
        if not person.email:
            done += Written(no_email=1)
            continue
        if person.messages_stopped if isinstance(person, Speaker) else not person.live_messages:
            done += Written(stopped=1)
            continue
        draft = _live_draft(event, slot, action, who, person, mailing)
        key = f"live:{slot.session_id}:{revision}:{who}:{person.id}"
        done += Written(_put(db, event, mailing, draft, "live", f"live {action} {slot.key} #{revision}", key))
    record(db, actor, "messages.live", event=event, subject=f"session {slot.key}",
           detail={"queued": done.queued, "no_email": done.no_email, "stopped": done.stopped})  # fmt: skip
    return done


def live_changes(
    db: DbSession, event: Event, slots: Iterable[Slot], action: str, mailing: Mailing, actor: Actor | None
) -> Written:
    """`live_change` for each session a change touched (a cascade of delays touches several)."""
    return sum((live_change(db, event, slot, action, mailing, actor=actor) for slot in slots), Written())


def slot_session(db: DbSession, slot: Slot) -> Session:
    session = db.get(Session, slot.session_id)
    assert session is not None  # a slot is read from the session's published entry
    return session


def _live_draft(
    event: Event, slot: Slot, action: str, who: str, person: Speaker | Participant, mailing: Mailing
) -> Draft:
    t = for_language(reading_language(person))
    values = {
        "greeting": _greeting(reading_language(person), person.name),
        "title": slot.title,
        "room": slot.room_name,
        "start": f"{slot.starts_at:%H:%M}",
        "day": f"{slot.starts_at:%Y-%m-%d}",
        "minutes": slot.facts.delay_minutes,
        "link": f"{mailing.base_url}/sessions/{slot.key}",
    }
    if action == "cancel":
        subject = t.gettext("“%(title)s” is cancelled") % values
        body = t.gettext("%(greeting)s\n\n“%(title)s” (%(day)s, %(room)s) is cancelled.\n\n%(link)s") % values
    else:
        subject = t.gettext("“%(title)s” is delayed") % values
        body = (
            t.ngettext(
                "%(greeting)s\n\n“%(title)s” is delayed by %(minutes)s minute: it now starts at %(start)s "
                "on %(day)s in %(room)s.\n\n%(link)s",
                "%(greeting)s\n\n“%(title)s” is delayed by %(minutes)s minutes: it now starts at %(start)s "
                "on %(day)s in %(room)s.\n\n%(link)s",
                values["minutes"],
            )
            % values
        )
    if who == SPEAKER:
        footer = t.gettext("To stop messages about your sessions: %(link)s")
    else:
        footer = t.gettext("You bookmarked this session. To stop messages on the day: %(link)s")
    footer %= {"link": stop_link(mailing, who, person.id)}
    return _draft(reading_language(person), person.name, person.email, event, subject, body, footer)


# --- registration and lost links -----------------------------------------------------------------


def participant_link(
    db: DbSession, event: Event, participant: Participant, token: str, mailing: Mailing, *, first: bool
) -> Written:
    """The participant's personal link: on registering (`first`), or a fresh one replacing the old."""
    t = for_language(reading_language(participant))
    values = {
        "greeting": _greeting(reading_language(participant), participant.name),
        "event": event.name,
        "link": personal_link(mailing.base_url, token),
    }
    if first:
        subject = t.gettext("your personal link")
        body = (
            t.gettext(
                "%(greeting)s\n\nYou are registered for remote participation in %(event)s. Your personal "
                "link opens your agenda and lets you join sessions online:\n\n%(link)s\n\n"
                "Keep it to yourself: anyone who has it can use it."
            )
            % values
        )
    else:
        subject = t.gettext("your new personal link")
        body = (
            t.gettext(
                "%(greeting)s\n\nSomeone (we hope you) asked for your personal link to %(event)s again. "
                "Here is a new one; the link you had before no longer works:\n\n%(link)s\n\n"
                "If you did not ask for it, you can ignore this message: only you received the new link."
            )
            % values
        )
    footer = t.gettext("To stop messages about your bookmarked sessions: %(link)s") % {
        "link": stop_link(mailing, PARTICIPANT, participant.id)
    }
    language = reading_language(participant)
    draft = _draft(language, participant.name, participant.email, event, subject, body, footer)
    return Written(_put(db, event, mailing, draft, "registration", f"participant {participant.id}", None))
