"""Infeasibility in a programme team's words: which sessions, speakers, rooms and rules clash.

An explanation starts as a set of rule instances that cannot all hold together (an unsatisfiable
core, see `solver.explain`). The common shapes get a sentence of their own (a speaker with more
sessions than hours, sessions only some rooms can hold, two sessions fixed to the same room and
time); anything else is spelled out rule by rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from solver.domain import Conflict
from solver.instance import Instance
from solver.model import Rule, RuleKey
from solver.timeline import Span, hours, union

_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_RULE_NAMES = {"speaker": "speaker overlap", "available": "speaker availability", "fixed": "fixed",
               "window": "window", "after": "after", "unavailable": "room unavailability"}


def moment(when: datetime) -> str:
    return f"{when.day} {when:%B} {when:%H:%M}"


def span_text(inst: Instance, span: Span) -> str:
    start, end = inst.timeline.moment(span[0]), inst.timeline.moment(span[1])
    tail = f"{end:%H:%M}" if start.date() == end.date() else moment(end)
    return f"{moment(start)}-{tail}"


def names(ids: Sequence[str], most: int = 8) -> str:
    shown = ", ".join(ids[:most])
    return shown if len(ids) <= most else f"{shown} and {len(ids) - most} more"


def sessions_text(inst: Instance, ids: Sequence[str]) -> str:
    """The sessions `ids` of `inst`, in words (see `sessions_phrase`)."""
    return sessions_phrase(ids, [inst.sessions[s].duration_minutes for s in ids])


def sessions_phrase(ids: Sequence[str], minutes: Sequence[int]) -> str:
    """'three 60-minute sessions (s-1, s-2, s-3)' or 'two sessions lasting 2h30 in all (s-1, s-2)'."""
    count = _COUNT_WORDS[len(ids)] if len(ids) < len(_COUNT_WORDS) else str(len(ids))
    noun = "session" if len(ids) == 1 else "sessions"
    what = (f"{count} {minutes[0]}-minute {noun}" if len(set(minutes)) == 1
            else f"{count} {noun} lasting {hours(sum(minutes))} in all")
    return f"{what} ({names(list(ids))})"


def describe(inst: Instance, core: Iterable[Rule]) -> Conflict:
    rules = sorted(set(core))
    placed = [str(key) for kind, key in rules if kind == "place"]
    others = [(kind, key) for kind, key in rules if kind != "place"]
    kinds = {kind for kind, _ in others}
    message = None
    rooms: list[str] = []
    if kinds <= {"speaker", "available"} and len({k for _, k in others}) == 1 and "speaker" in kinds:
        message = _speaker_overbooked(inst, str(others[0][1]), placed, "available" in kinds)
    elif kinds <= {"unavailable"} and placed:
        message, rooms = _rooms_overbooked(inst, placed, [str(key) for _, key in others])
    elif kinds == {"fixed"} and len(others) == 2:
        message, rooms = _fixed_together(inst, [str(key) for _, key in others])
    if message is None:
        phrases = [_phrase(inst, kind, key) for kind, key in others]
        if placed:
            phrases.append(f"{names(placed)} must take place")
        message = "these rules cannot all hold together: " + "; ".join(phrases)
    named = (s for kind, key in others for s in _sessions_of(kind, key))
    sessions = list(dict.fromkeys([*placed, *named]))
    speakers = sorted({str(key) for kind, key in others if kind in ("speaker", "available")})
    rooms = sorted({*rooms, *(str(key) for kind, key in others if kind == "unavailable")})
    return Conflict(message, sessions=tuple(sessions), speakers=tuple(speakers), rooms=tuple(rooms),
                    rules=tuple(dict.fromkeys(_rule_name(kind, key) for kind, key in others)))


def _rule_name(kind: str, key: RuleKey) -> str:
    if kind == "group":
        return f"rules.no_overlap[{key}]"
    return _RULE_NAMES[kind]


def _sessions_of(kind: str, key: RuleKey) -> list[str]:
    if kind in ("fixed", "window"):
        return [str(key)]
    if kind == "after":
        return list(key)
    return []


def _phrase(inst: Instance, kind: str, key: RuleKey) -> str:
    if isinstance(key, tuple):
        pred, succ = key
        return f"{succ} must start after {pred} ends"
    if kind == "speaker":
        return f"speaker {key} cannot be in two sessions at once"
    if kind == "available":
        spans = inst.available.get(key) or []
        return f"speaker {key} is available only {_spans_list(inst, spans)}"
    if kind == "fixed":
        fixed = inst.sessions[key].fixed
        where = f" in {fixed.room}" if fixed and fixed.room else ""
        when = f" at {moment(fixed.start)}" if fixed and fixed.start else ""
        return f"{key} is fixed{where}{when}"
    if kind == "window":
        window = inst.sessions[key].window
        low = f" start at {moment(window.earliest)} or later" if window and window.earliest else ""
        high = f" end by {moment(window.latest)}" if window and window.latest else ""
        return f"{key} must{low}{' and' if low and high else ''}{high}"
    if kind == "group":
        _, rule, members = inst.groups[int(key)]
        reason = f" ({rule.reason})" if rule.reason else ""
        return f"rules.no_overlap[{key}]{reason}: {names(members)} may not overlap"
    return f"{key} is unavailable {_spans_list(inst, inst.unavailable.get(key, []))}"


def _spans_list(inst: Instance, spans: Sequence[Span]) -> str:
    return ", ".join(span_text(inst, s) for s in spans) if spans else "never"


def _speaker_overbooked(inst: Instance, speaker: str, placed: list[str], limited: bool) -> str | None:
    mine = [s for s in placed if speaker in inst.sessions[s].speakers]
    if not mine or len(mine) != len(placed):
        return None
    if not limited:
        return f"speaker {speaker} has {sessions_text(inst, mine)} that cannot be placed one after another"
    open_spans = [b for d in inst.timeline.days for b in d.blocks]
    usable = _clip(inst.available.get(speaker) or [], open_spans)
    days = sorted({inst.timeline.day_of(a).date for a, _ in usable})
    on = f" on {_day_list(days)}" if days else ""
    minutes = sum(b - a for a, b in usable)
    return f"speaker {speaker} is available {hours(minutes)}{on} but has {sessions_text(inst, mine)}"


def _day_list(days: Sequence[object]) -> str:
    return ", ".join(f"{d.day} {d:%B}" for d in days)  # type: ignore[attr-defined]


def _clip(spans: Iterable[Span], within: Sequence[Span]) -> list[Span]:
    return union((max(a, c), min(b, d)) for a, b in spans for c, d in within if max(a, c) < min(b, d))


def _rooms_overbooked(inst: Instance, placed: list[str], closed: list[str]) -> tuple[str | None, list[str]]:
    rooms = sorted({r for s in placed for r in inst.info[s].rooms} if all(s in inst.info for s in placed)
                   else set())
    if not rooms:
        return None, []
    gap = inst.changeover
    need = sum(inst.sessions[s].duration_minutes + gap for s in placed)
    why = _why_only(inst, placed, rooms)
    what = f"can only be held in {names(rooms)}{why}"
    counting = f", counting {gap}-minute changeovers," if gap else ""
    closed_text = f" ({'; '.join(_phrase(inst, 'unavailable', r) for r in closed)})" if closed else ""
    grid = inst.problem.calendar.granularity_minutes
    message = (f"{sessions_text(inst, placed)} {what}: they need {hours(need)}{counting} and "
               f"do not all fit there around its breaks, the {grid}-minute grid "
               f"and the other sessions{closed_text}")
    return message, rooms


def _why_only(inst: Instance, placed: list[str], rooms: list[str]) -> str:
    """', the only rooms with 6 interpretation booths' when one shared need explains the rooms."""
    sessions = [inst.sessions[s] for s in placed]
    booths = min(s.booths_needed for s in sessions)
    seats = min(s.expected_attendance for s in sessions)
    features = set.intersection(*(set(s.requires) for s in sessions))
    needs = []
    if booths:
        needs.append((f"{booths} interpretation booths", lambda r: r.interpretation_booths >= booths))
    if seats:
        needs.append((f"{seats} seats", lambda r: r.capacity >= seats))
    for feature in sorted(features):
        needs.append((f"'{feature}'", lambda r, f=feature: f in r.features))
    for label, test in needs:
        if sorted(r.id for r in inst.problem.rooms if test(r)) == rooms:
            plural = "rooms" if len(rooms) > 1 else "room"
            return f", the only {plural} with {label}"
    return ""


def _fixed_together(inst: Instance, fixed: list[str]) -> tuple[str | None, list[str]]:
    pinned = [(inst.sessions[s], inst.sessions[s].fixed) for s in fixed]
    if any(f is None or f.start is None or f.room is None for _, f in pinned):
        return None, []
    (a, fa), (b, fb) = pinned
    assert fa is not None and fb is not None and fa.start is not None and fb.start is not None
    if fa.room != fb.room:
        return None, []
    when = [span_text(inst, (inst.timeline.minute(start), inst.timeline.minute(start) + s.duration_minutes))
            for s, start in ((a, fa.start), (b, fb.start))]
    gap = f" with a {inst.changeover}-minute changeover" if inst.changeover else ""
    return (f"{a.id} ({when[0]}) and {b.id} ({when[1]}) are both fixed in {fa.room}, "
            f"too close together{gap}"), [str(fa.room)]


def no_place(inst: Instance, sid: str) -> Conflict:
    """Why a session on its own has no room and start (for when precheck has not said so)."""
    session = inst.sessions[sid]
    fixed_room = session.fixed.room if session.fixed else None
    fitting = [r for r in inst.fitting_rooms(session) if fixed_room in (None, r)]
    if not fitting:
        needs = [f"{session.expected_attendance} seats" if session.expected_attendance else "",
                 f"{session.booths_needed} interpretation booths" if session.booths_needed else "",
                 *(f"'{f}'" for f in session.requires)]
        where = f"its fixed room {fixed_room}" if fixed_room else "no room"
        offers = " and ".join(n for n in needs if n) or "space for it"
        verb = "does not offer" if fixed_room else "offers"
        return Conflict(f"{sid}: {where} {verb} {offers}", sessions=(sid,),
                        rooms=(fixed_room,) if fixed_room else (), rules=("room fit",))
    base = inst.base_starts(session)
    if not base:
        return Conflict(f"{sid} lasts {hours(session.duration_minutes)}, longer than any stretch of "
                        "opening hours between breaks", sessions=(sid,), rules=("opening hours",))
    rules = inst.start_rules(session)
    if any(all(rule(st) for rule in rules.values()) for st in base):
        return Conflict(f"{sid} has possible times, but every room that can hold it ({names(fitting)}) "
                        "is unavailable then", sessions=(sid,), rooms=tuple(fitting),
                        rules=("room unavailability",))
    alone = [name for name, rule in rules.items() if not any(rule(st) for st in base)]
    blamed = alone or list(rules)
    labels = [_rule_label(inst, sid, name) for name in blamed]
    return Conflict(f"{sid} ({session.duration_minutes} min) has no start on the grid that meets "
                    f"{and_list(labels)}",
                    sessions=(sid,), speakers=tuple(n.partition(":")[2] for n in blamed if ":" in n),
                    rules=tuple(_RULE_NAMES[n.partition(":")[0]] for n in blamed))


def _rule_label(inst: Instance, sid: str, name: str) -> str:
    kind, _, speaker = name.partition(":")
    if kind == "available":
        return f"the availability of {speaker} ({_spans_list(inst, inst.available.get(speaker) or [])})"
    return _phrase(inst, kind, sid).replace(f"{sid} ", "its ", 1) if kind == "fixed" else f"its {kind}"


def and_list(words: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# --- no agenda within the time limit ---------------------------------------------------------------


def suggested_limit(seconds: float) -> int:
    """A time limit worth trying after `seconds` found no agenda: four times as long, at least 30 s."""
    return max(30, round(4 * seconds))


def no_agenda_in_time(seconds: float, placed: int, total: int, missing: Sequence[str], *,
                      deterministic: bool = False) -> Conflict:
    """Status `unknown` in words: what the fast start managed, and what to try."""
    unit = "deterministic seconds" if deterministic else "s"
    count = f"{len(missing)} session{'' if len(missing) == 1 else 's'}"
    return Conflict(f"no agenda found within {seconds:g} {unit}: the fast start placed {placed} of {total} "
                    f"sessions and the search found no complete agenda in the time left; {count} could "
                    f"not be placed ({names(list(missing))}, below). An agenda may still exist: try a "
                    f"longer time limit, e.g. {suggested_limit(seconds)} s.",
                    sessions=tuple(missing), rules=("time limit",))


def unplaced(inst: Instance, sid: str, obstacles: dict[str, tuple[list[str], int]]) -> Conflict:
    """Why the fast start left a session without a place: what rules out each of its starts, from
    `Greedy.obstacles`."""
    total = sum(count for _, count in obstacles.values())
    phrases, rooms, speakers, rules = [], [], [], []
    for cause, (others, count) in sorted(obstacles.items(), key=lambda item: -item[1][1]):
        kind, _, key = cause.partition(":")
        if kind == "rooms":
            rooms = list(inst.info[sid].rooms)
            phrases.append(f"at {count} every room it fits ({names(rooms, 4)}) is taken, "
                           f"by {names(others, 4)}")
        elif kind == "speaker":
            speakers.append(key)
            rules.append("speaker overlap")
            phrases.append(f"at {count} speaker {key} is in another session ({names(others, 4)})")
        elif kind == "group":
            rules.append(f"rules.no_overlap[{key}]")
            phrases.append(f"at {count} it would overlap rules.no_overlap[{key}] ({names(others, 4)})")
        elif kind == "after":
            rules.append("after")
            phrases.append(f"at {count} it would break its after order with {names(others, 4)}")
        else:
            phrases.append(f"at {count} a room was still free when the time ran out")
    session = inst.sessions[sid]
    starts = f"{total} possible start{'' if total == 1 else 's'}"
    return Conflict(f"{sid} ({session.duration_minutes} min) has no place in the agenda found so far: "
                    f"of its {starts}, {'; '.join(phrases)}",
                    sessions=(sid, *dict.fromkeys(s for others, _ in obstacles.values() for s in others)),
                    speakers=tuple(speakers), rooms=tuple(rooms), rules=tuple(dict.fromkeys(rules)))
