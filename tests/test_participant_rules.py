"""scheduler.participants to the letter: what each refusal says, the limits exactly at their edges,
and the times and owners that registration, revocation and bookmarks record."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select

from scheduler import participants
from scheduler.db import transaction
from scheduler.models import Bookmark, Participant
from tests.test_live_data import event_of, register, seed

GOOD = {"name": "Ada", "email": "ada@example.org", "country": "CH", "stakeholder_group": "government",
        "language": "en"}
WHEN = datetime(2025, 7, 8, 9, 30)


def problems(**fields: str) -> dict[str, str]:
    with pytest.raises(participants.RegistrationError) as caught:
        participants.validate(**(GOOD | fields))
    return caught.value.problems


def test_each_refusal_says_what_to_do() -> None:
    with pytest.raises(participants.RegistrationError) as caught:
        participants.validate("  ", "x", "ZZ", "lobbyist", "de")
    assert caught.value.problems == {
        "name": "please give your name",
        "email": "please give an email address such as name@example.org",
        "country": "please choose a country",
        "stakeholder_group": "please choose one of: government, private-sector, civil-society, "
        "academia-technical, international-organisation",
        "language": "please choose one of: ar, zh, en, fr, ru, es",
    }
    assert str(caught.value).startswith("name: please give your name; email: please give an email address")


def test_a_name_is_at_most_300_printable_characters() -> None:
    assert participants.validate(**(GOOD | {"name": "A" * 300})).name == "A" * 300
    assert problems(name="A" * 301) == {"name": "a name is at most 300 printable characters"}
    assert problems(name="Ada\x07") == {"name": "a name is at most 300 printable characters"}


def test_an_email_address_is_at_most_254_characters() -> None:
    longest = "a" * 64 + "@" + "x" * 63 + "." + "y" * 63 + "." + "z" * 57 + ".org"
    assert len(longest) == 254
    assert participants.validate(**(GOOD | {"email": longest})).email == longest
    one_more = longest.replace(".org", "z.org")  # every part still well formed, 255 characters in all
    assert set(problems(email=one_more)) == {"email"}


@pytest.mark.parametrize("country", ["CHE", "C", ""])
def test_a_country_is_a_two_letter_iso_code(country: str) -> None:
    assert problems(country=country) == {"country": "please choose a country"}


def test_the_form_is_cleaned_up_field_by_field() -> None:
    form = participants.validate(" Ada\n Lovelace ", " ada@example.org\n", " ke ", " civil-society ", " ZH ")
    assert form == participants.Registration("Ada Lovelace", "ada@example.org", "KE", "civil-society", "zh")


def test_a_country_code_nobody_knows_is_shown_as_given() -> None:
    assert participants.country_name("QQ") == "QQ"


@pytest.mark.parametrize(
    ("token", "plausible"),
    [("a" * 32, True), ("a" * 31, False), ("A-_9" * 32, True), ("a" * 129, False), ("a" * 40 + "!", False),
     ("a" * 40 + "\n", False), ("", False), (None, False)],
)
def test_only_a_token_new_token_could_make_is_looked_up(token: str | None, plausible: bool) -> None:
    assert participants.plausible_token(token) is plausible
    assert participants.plausible_token(participants.new_token())


@pytest.mark.db
def test_registration_records_its_time_and_revocation_keeps_the_first(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        form = participants.validate(**GOOD)
        participant, token = participants.register(db, event, form, now=WHEN)
        assert participant.created_at == WHEN and participant.revoked_at is None
        participants.revoke(participant, now=datetime(2025, 7, 9, 8, 0))
        participants.revoke(participant, now=datetime(2025, 7, 9, 9, 0))
        assert participant.revoked_at == datetime(2025, 7, 9, 8, 0)
        assert participants.by_token(db, event, token) is None
        participants.reissue(participant)
        assert participant.revoked_at is None


@pytest.mark.db
def test_lookups_name_what_is_missing_and_stay_within_the_event(engine: Engine) -> None:
    first, second = seed(engine, "first"), seed(engine, "second")
    with transaction(engine) as db:
        one, two = event_of(db, first), event_of(db, second)
        ada, _ = register(db, one, name="Ada")
        register(db, two, name="Bob")
        grace, _ = register(db, one, name="Grace")
        assert [p.name for p in participants.listing(db, one)] == ["Ada", "Grace"]
        assert participants.find(db, one, grace).name == "Grace"
        with pytest.raises(participants.ParticipantError, match=f"^event 'second' has no participant {ada}$"):
            participants.find(db, two, ada)
        with pytest.raises(participants.ParticipantError, match="^event 'first' has no participant 999$"):
            participants.find(db, one, 999)
        with pytest.raises(participants.ParticipantError, match="^event 'first' has no session 's-missing'$"):
            participants.session_by_key(db, one, "s-missing")
        foreign = participants.session_by_key(db, two, "s-open")
        with pytest.raises(participants.ParticipantError,
                           match="^session 's-open' is not part of the participant's event$"):
            participants.add_bookmark(db, participants.find(db, one, ada), foreign)


@pytest.mark.db
def test_bookmarks_record_their_time_and_owners_per_session(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        ids = [register(db, event, name=name)[0] for name in ("A", "B", "C")]
        opening, parallel = (participants.session_by_key(db, event, key) for key in ("s-open", "s-par"))
        a, b, c = (participants.find(db, event, i) for i in ids)
        # Bookmarked in an order other than the participants': the listing still goes by participant.
        participants.add_bookmark(db, c, opening)
        participants.add_bookmark(db, a, opening, now=WHEN)
        participants.add_bookmark(db, a, opening, now=datetime(2025, 7, 10, 0, 0))  # kept as it was
        participants.add_bookmark(db, c, parallel)
        participants.add_bookmark(db, b, parallel)
        stored = db.scalars(select(Bookmark).where(Bookmark.participant_id == a.id)).one()
        assert (stored.session_id, stored.created_at) == (opening.id, WHEN)
        assert participants.bookmarking(db, [opening.id, parallel.id]) == {
            opening.id: [a.id, c.id], parallel.id: [b.id, c.id]}
        assert participants.bookmarking(db, [parallel.id]) == {parallel.id: [b.id, c.id]}
        participants.remove_bookmark(db, c, parallel)
        assert participants.bookmarked_keys(db, c) == {"s-open"}
        assert participants.bookmarked_keys(db, b) == {"s-par"}
        # c bookmarked the opening before a did: a's removal must take a's own bookmark.
        participants.remove_bookmark(db, a, opening)
        assert participants.bookmarked_keys(db, a) == set()
        assert participants.bookmarked_keys(db, c) == {"s-open"}
        assert db.scalars(select(Participant.id).order_by(Participant.id)).all() == ids
