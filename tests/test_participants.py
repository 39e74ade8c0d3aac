"""Registration, capability links and bookmarks (scheduler.participants)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from scheduler import participants
from scheduler.db import transaction
from scheduler.models import Participant
from tests.test_live_data import event_of, register, seed

pytestmark = pytest.mark.db


def test_validate_cleans_up_the_form() -> None:
    form = participants.validate("  Ada   Lovelace ", " ada@example.org ", "ch", "civil-society", "FR")
    assert form == participants.Registration("Ada Lovelace", "ada@example.org", "CH", "civil-society", "fr")


def test_validate_names_every_wrong_field() -> None:
    with pytest.raises(participants.RegistrationError) as caught:
        participants.validate("", "not-an-email", "XX", "lobbyist", "de")
    assert set(caught.value.problems) == {"name", "email", "country", "stakeholder_group", "language"}


BAD_EMAILS = ["a@b", "a b@example.org", "@example.org", "a@example.", "x" * 320 + "@e.org"]


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_bad_email_addresses_are_refused(email: str) -> None:
    with pytest.raises(participants.RegistrationError) as caught:
        participants.validate("Ada", email, "CH", "government", "en")
    assert set(caught.value.problems) == {"email"}


def test_hostile_name_is_refused() -> None:
    with pytest.raises(participants.RegistrationError):
        participants.validate("Ada\x00<script>", "ada@example.org", "CH", "government", "en")


def test_every_un_language_and_stakeholder_group_is_accepted() -> None:
    for language in ("ar", "zh", "en", "fr", "ru", "es"):
        for group in participants.STAKEHOLDER_GROUPS:
            participants.validate("Ada", "ada@example.org", "KE", group, language)


def test_countries_are_iso_codes_sorted_by_name() -> None:
    listed = participants.countries()
    assert ("CH", "Switzerland") in listed
    assert [name for _, name in listed] == sorted(name for _, name in listed)
    assert participants.country_name("KE") == "Kenya"


def test_token_is_random_long_and_stored_only_hashed(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        participant_id, token = register(db, event_of(db, event_id))
    assert len(token) >= 43  # 32 random bytes in URL-safe base64: 256 bits
    with transaction(engine) as db:
        stored = db.get(Participant, participant_id)
        assert stored is not None
        assert token not in stored.token_hash
        assert stored.token_hash == participants.hash_token(token)
        assert participants.by_token(db, event_of(db, event_id), token) == stored


def test_tokens_differ_between_participants(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        tokens = {register(db, event, name=f"P{i}")[1] for i in range(20)}
    assert len(tokens) == 20


def test_unknown_empty_and_oversized_tokens_find_nobody(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        register(db, event)
        for token in (None, "", "nope", "x" * 5000):
            assert participants.by_token(db, event, token) is None


def test_revoked_link_stops_working_and_reissue_gives_a_new_one(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        participant_id, old = register(db, event)
        participant = participants.find(db, event, participant_id)
        participants.revoke(participant)
        assert participants.by_token(db, event, old) is None
        new = participants.reissue(participant)
        assert new != old
        assert participants.by_token(db, event, new) is participant
        assert participants.by_token(db, event, old) is None


def test_a_token_works_only_for_its_own_event(engine: Engine) -> None:
    first, second = seed(engine, "first"), seed(engine, "second")
    with transaction(engine) as db:
        _, token = register(db, event_of(db, first))
        assert participants.by_token(db, event_of(db, first), token) is not None
        assert participants.by_token(db, event_of(db, second), token) is None
        with pytest.raises(participants.ParticipantError):
            participants.find(db, event_of(db, second), 1)


def test_bookmarks_are_idempotent_and_removable(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        participant_id, _ = register(db, event)
        participant = participants.find(db, event, participant_id)
        for key in ("s-open", "s-open", "s-par"):
            participants.add_bookmark(db, participant, participants.session_by_key(db, event, key))
        assert participants.bookmarked_keys(db, participant) == {"s-open", "s-par"}
        participants.remove_bookmark(db, participant, participants.session_by_key(db, event, "s-open"))
        participants.remove_bookmark(db, participant, participants.session_by_key(db, event, "s-open"))
        assert participants.bookmarked_keys(db, participant) == {"s-par"}


def test_bookmarking_another_events_session_is_refused(engine: Engine) -> None:
    first, second = seed(engine, "first"), seed(engine, "second")
    with transaction(engine) as db:
        participant_id, _ = register(db, event_of(db, first))
        participant = participants.find(db, event_of(db, first), participant_id)
        foreign = participants.session_by_key(db, event_of(db, second), "s-open")
        with pytest.raises(participants.ParticipantError):
            participants.add_bookmark(db, participant, foreign)
        with pytest.raises(participants.ParticipantError):
            participants.session_by_key(db, event_of(db, first), "s-missing")


def test_bookmarking_lists_unrevoked_participants_per_session(engine: Engine) -> None:
    event_id = seed(engine)
    with transaction(engine) as db:
        event = event_of(db, event_id)
        ids = [register(db, event, name=name)[0] for name in ("A", "B", "C")]
        session = participants.session_by_key(db, event, "s-open")
        for participant_id in ids:
            participants.add_bookmark(db, participants.find(db, event, participant_id), session)
        participants.revoke(participants.find(db, event, ids[1]))
        db.flush()
        assert participants.bookmarking(db, [session.id]) == {session.id: [ids[0], ids[2]]}
        assert db.scalars(select(Participant.name).order_by(Participant.id)).all() == ["A", "B", "C"]
