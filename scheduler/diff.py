"""What changed between two agendas: the programme team's re-plan report and the public changelog."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from solver.domain import Assignment

ChangeKind = Literal["new", "moved", "cancelled"]


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    session: str
    before: Assignment | None
    after: Assignment | None

    def describe(self) -> str:
        if self.kind == "new":
            return f"{self.session}: new, {_where(self.after)}"
        if self.kind == "cancelled":
            return f"{self.session}: cancelled (was {_where(self.before)})"
        return f"{self.session}: {_where(self.before)} -> {_where(self.after)}"


def _where(assignment: Assignment | None) -> str:
    if assignment is None:
        return "-"
    return f"{assignment.room} {assignment.start:%Y-%m-%d %H:%M}-{assignment.end:%H:%M}"


def _placement(assignment: Assignment) -> tuple[object, ...]:
    return (assignment.room, assignment.start, assignment.end)


def diff_assignments(before: Iterable[Assignment], after: Iterable[Assignment]) -> list[Change]:
    """New, moved (room or time) and cancelled sessions, ordered by session id."""
    old = {a.session: a for a in before}
    new = {a.session: a for a in after}
    changes: list[Change] = []
    for session in sorted(old.keys() | new.keys()):
        was, now = old.get(session), new.get(session)
        if was is None:
            changes.append(Change("new", session, None, now))
        elif now is None:
            changes.append(Change("cancelled", session, was, None))
        elif _placement(was) != _placement(now):
            changes.append(Change("moved", session, was, now))
    return changes
