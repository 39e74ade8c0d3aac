"""What a caller can tune about a solve, and what it hears back while the search runs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Weights:
    """Points the objective charges for each soft goal missed (docs/solver.md explains the defaults).

    The objective is a sum of points; lower is better. Every weight may be 0 to switch its goal off.
    """

    # Per pair of sessions sharing a track that overlap in time ...
    track_clash: float = 10.0
    # ... plus this much per 100 people in the smaller of the two audiences.
    track_clash_attendance: float = 2.0
    # Times the organiser's weight, when the session misses its heaviest preferred period.
    preferred: float = 2.0
    # Per remote region whose waking hours (08:00-22:00 local) the session misses.
    remote_audience: float = 3.0
    # Per 100 empty seats: rewards the smallest room that fits.
    room_waste: float = 0.5
    # Per pair of a speaker's sessions in different rooms less than 15 minutes apart.
    speaker_buffer: float = 5.0
    # Per hour of sessions a day holds above its fair share of the event's hours.
    day_balance: float = 1.0
    # Per optional session left out.
    unscheduled_optional: float = 1000.0
    # A start whose preferences are missed at this many points or more is one the organiser means
    # as "never" (a converter writes "never" as a heavy weight on the acceptable periods): such
    # starts are ruled out while an agenda without them is found (docs/solver.md); 0 switches it off.
    never: float = 1000.0


@dataclass(frozen=True, slots=True)
class SolveOptions:
    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    weights: Weights = field(default_factory=Weights)
    # Above this many sessions, search by large neighbourhoods instead of one model of everything.
    lns_above: int = 500
    # Repeatable: the time limit counts CP-SAT's deterministic time instead of the wall clock, so
    # the same seed gives the same agenda on every run on the same machine (docs/solver.md).
    deterministic: bool = False


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of the search: the best agenda's objective so far and the proven lower bound."""

    elapsed: float
    objective: float | None
    bound: float | None
    # In the best agenda so far: pairs of sessions of a common track that overlap in time.
    track_clashes: int | None = None

    @property
    def gap(self) -> float | None:
        """Relative distance between objective and bound (0.0 means proven optimal)."""
        if self.objective is None or self.bound is None:
            return None
        if self.objective == self.bound:
            return 0.0
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)
