"""What is sent, to whom: publication messages after a re-plan reach exactly the speakers whose
sessions changed, once each, with a calendar file ical.js reads at the right times and with the
feeds' UIDs and SEQUENCE; live changes reach speakers and bookmarkers once; nobody without an email
or who stopped messages is written to, and they are counted."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from scheduler import config, live, notifications, outbox, participants
from scheduler.audit import SYSTEM
from scheduler.db import transaction
from scheduler.effective import agenda_entries
from scheduler.models import OutboxMessage, Speaker
from scheduler.versions import publish_schedule
from tests.smtp_server import SmtpServer, smtp_server
from tests.test_icaljs import read_with_icaljs
from tests.test_live_data import DAY1, SPEAKER_MAIL_HOST, at, event_of, register, schedule, seed
from webapp import create_app

pytestmark = pytest.mark.db
BASE = "https://agenda.example.org"
ZURICH = ZoneInfo("Europe/Zurich")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def settings(smtp: SmtpServer | None = None, **more: Any) -> dict[str, Any]:
    mail = smtp.settings() if smtp else {}
    return {**config.defaults(), **mail, "AGENDA_BASE_URL": BASE, "MAIL_HOLD_KINDS": "", **more}


def mailing(**more: Any) -> notifications.Mailing:
    return notifications.Mailing.of(settings(**more))


def address(speaker_key: str) -> str:
    return f"{speaker_key}@{SPEAKER_MAIL_HOST}"


def calendar_of(message: EmailMessage, folder: Path, name: str) -> Path:
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    path = folder / f"{name}.ics"
    path.write_bytes(attachment.get_payload(decode=True))  # type: ignore[arg-type]
    return path


def test_a_replan_tells_exactly_the_speakers_whose_sessions_changed(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        first = notifications.publication(db, event, event.versions[-1], mailing(), actor=SYSTEM)
    # Every speaker with a session hears of the first publication (sp-w1, sp-m1, sp-m2, sp-nd, sp-w2).
    assert first.queued == 5
    outbox.deliver(engine, settings(smtp))
    smtp.mailbox.received.clear()

    moved = {"s-par": ("room-b", at(DAY1, "17:00"))}
    with transaction(engine) as db:
        event = event_of(db, event_id)
        version = publish_schedule(db, event, schedule(moves=moved, drop=("s-next",)), force=True)
        done = notifications.publication(db, event, version, mailing(), actor=SYSTEM)
    # s-par (sp-w2, sp-nd) moved; s-next (sp-nd) cancelled: two speakers, one message each.
    assert done == notifications.Written(queued=2)
    assert outbox.deliver(engine, settings(smtp)).sent == 2
    received = {str(m["To"]).split("<")[1].rstrip(">"): m for m in smtp.mailbox.received}
    assert sorted(received) == [address("sp-nd"), address("sp-w2")]

    nd = received[address("sp-nd")]
    text = nd.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert (
        "Moved: “Parallel track”, now 2025-07-08 17:00–18:00, Room B (was 2025-07-08 16:00–17:00, Room B)"
        in text
    )
    assert "Cancelled: “After the floor”" in text
    assert "Live Test Event" in text and f"{BASE}/messages/stop/speaker/" in text

    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    script = Path(__file__).parent / "js" / "read_feed.mjs"
    [calendar] = read_with_icaljs(script, "Asia/Tokyo", calendar_of(nd, tmp_path, "sp-nd"))
    events = {e["uid"]: e for e in calendar["events"]}
    par = events["s-par@live-test.agenda.invalid"]
    assert par["start"] == int(datetime(2025, 7, 8, 17, 0, tzinfo=ZURICH).timestamp())
    assert par["sequence"] == 1 and par["zone"] == "Europe/Zurich"
    assert events["s-next@live-test.agenda.invalid"]["status"] == "CANCELLED"
    assert calendar["name"] == "Live Test Event: Speaker sp-nd"


def test_the_speakers_calendar_is_their_feed(engine: Engine, tmp_path: Path) -> None:
    """The attachment and `/calendar/speaker/<id>.ics` are built by the same code from the same rows."""
    event_id = seed(engine)
    app = create_app({"DATABASE_URL": str(engine.url), "TESTING": True, "LIVE_TICKER": False,
                      "SOCKETIO_MESSAGE_QUEUE": None, "SERVER_NAME": "agenda.example.org",
                      "PREFERRED_URL_SCHEME": "https"})  # fmt: skip
    feed = app.test_client().get("/calendar/speaker/sp-m1.ics", base_url=BASE).get_data()
    with transaction(engine) as db:
        event = event_of(db, event_id)
        speaker = db.scalars(select(Speaker).where(Speaker.key == "sp-m1")).one()
        version = event.versions[-1]
        mine = notifications.entries_by_speaker(agenda_entries(db, version))[speaker.id]
        attached = notifications.speaker_calendar(event, speaker, mine, mailing())
    assert attached == feed


def test_nothing_changed_since_the_version_told_writes_nothing(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        notifications.publication(db, event, event.versions[-1], mailing(), actor=SYSTEM)
        again = publish_schedule(db, event, schedule(), force=True)
        assert notifications.publication(db, event, again, mailing(), actor=SYSTEM) == notifications.Written()


def test_speakers_without_email_or_who_stopped_are_skipped_and_counted(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        by_key = {s.key: s for s in event.speakers}
        by_key["sp-nd"].email = None
        by_key["sp-w2"].messages_stopped = True
        done = notifications.publication(db, event, event.versions[-1], mailing(), actor=SYSTEM)
        assert done == notifications.Written(queued=3, no_email=1, stopped=1)
        sent_to = set(db.scalars(select(OutboxMessage.recipient_email)))
    assert address("sp-nd") not in sent_to and address("sp-w2") not in sent_to


def test_publication_messages_are_held_for_review_by_default(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        held = notifications.Mailing.of({**config.defaults(), "AGENDA_BASE_URL": BASE})
        notifications.publication(db, event, event.versions[-1], held, actor=SYSTEM)
        assert set(db.scalars(select(OutboxMessage.state))) == {outbox.HELD}


def test_a_cancellation_tells_speakers_and_bookmarkers_once_per_change(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        ada, _ = register(db, event, "Ada")
        bob, _ = register(db, event, "Bob")
        for participant_id in (ada, bob):
            participants.add_bookmark(db, participants.find(db, event, participant_id),
                                      participants.session_by_key(db, event, "s-open"))  # fmt: skip
        participants.find(db, event, bob).live_messages = False
        # Ada chose French interpretation but reads the site in English: messages follow the site.
        participants.find(db, event, ada).interface_language = "en"
        slot = live.change(db, event, "s-open", "cancel", actor=SYSTEM)
        done = notifications.live_change(db, event, slot, "cancel", mailing(), actor=SYSTEM)
        # Speakers sp-m1 and sp-m2, and Ada; Bob stopped live messages.
        assert done == notifications.Written(queued=3, stopped=1)
        # The same change seen again (a second server process) writes nothing more.
        assert notifications.live_change(db, event, slot, "cancel", mailing(), actor=SYSTEM).queued == 0
        texts = db.scalars(
            select(OutboxMessage.text).where(OutboxMessage.recipient_email == "ada@example.org")
        )
        [text] = list(texts)
    assert "“Opening the floor” (2025-07-08, Room A) is cancelled." in text
    assert f"{BASE}/messages/stop/participant/{ada}/" in text


def test_a_participant_reads_messages_in_the_language_they_read_the_site_in(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        ada, _ = register(db, event, "Ada")  # French interpretation, site language not known
        participant = participants.find(db, event, ada)
        participants.add_bookmark(db, participant, participants.session_by_key(db, event, "s-open"))
        assert notifications.reading_language(participant) == "fr"
        participant.interface_language = "es"
        assert notifications.reading_language(participant) == "es"
        slot = live.change(db, event, "s-open", "cancel", actor=SYSTEM)
        notifications.live_change(db, event, slot, "cancel", mailing(), actor=SYSTEM)
        to_ada = OutboxMessage.recipient_email == "ada@example.org"
        [text] = db.scalars(select(OutboxMessage.text).where(to_ada))
    assert "La sesión «Opening the floor» (2025-07-08, Room A) se ha cancelado." in text


@pytest.mark.parametrize(("minutes", "told"), [(15, 0), (16, 2)])
def test_only_a_delay_longer_than_the_notice_is_told(engine: Engine, minutes: int, told: int) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        slot = live.change(db, event, "s-open", "delay", minutes, actor=SYSTEM)
        assert notifications.live_change(db, event, slot, "delay", mailing(), actor=SYSTEM).queued == told
        started = live.change(db, event, "s-open", "start", now=at(DAY1, "16:20"), actor=SYSTEM)
        assert notifications.live_change(db, event, started, "start", mailing(), actor=SYSTEM).queued == 0


def test_a_stop_link_works_only_for_its_person(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        ada, _ = register(db, event, "Ada")
        link = notifications.stop_link(mailing(), "participant", ada)
        signature = link.rsplit("/", 1)[1]
        secret = mailing().secret
        assert notifications.valid_stop(secret, "participant", ada, signature)
        assert not notifications.valid_stop(secret, "participant", ada + 1, signature)
        assert not notifications.valid_stop(secret, "speaker", ada, signature)
        assert notifications.stop_messages(db, event, "participant", ada)
        assert participants.find(db, event, ada).live_messages is False


def test_registering_a_known_email_renews_the_link_instead_of_adding_a_participant(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        form = participants.validate("Ada", "ada@example.org", "CH", "academia-technical", "fr")
        first, old, new = participants.register_or_renew(db, event, form)
        again = participants.validate("Ada L.", "ADA@example.org", "KE", "civil-society", "en")
        second, fresh, new_again = participants.register_or_renew(db, event, again)
        assert (new, new_again) == (True, False) and first.id == second.id and old != fresh
        assert participants.by_token(db, event, old) is None
        assert participants.by_token(db, event, fresh) is not None
        assert len(participants.listing(db, event)) == 1
