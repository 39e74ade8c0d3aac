"""The CP-SAT model of an agenda, built one family of rules at a time.

Time is counted in grid slots (`Timeline.slot`): starts are grid points, so a session of d minutes
keeps the next session of its room ceil((d + changeover) / step) slots away, and domains stay a
few ranges per day instead of a long list of minutes.

Each session gets one start variable over its candidate slots, one literal per candidate room
(exactly one holds when the session is present), and optional intervals sharing that start: one per
room for the room's no-overlap (lengthened by the changeover), and one for the speakers' and
`no_overlap` groups' no-overlaps. Sessions outside `infos` but in `context` are fixed and only
occupy their rooms; the neighbourhood search narrows the free sessions' starts by their speakers,
groups and `after` edges with the context before building (see `solver.lns`).

In explain mode (`guards` given) every rule instance is enforced only under its own assumption
literal, so CP-SAT can name a set of rules that cannot hold together.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ortools.sat.python import cp_model

from solver.costs import SPEAKER_MOVE_MINUTES, Costs, Placement
from solver.instance import Instance, SessionInfo

Literal = cp_model.IntVar | bool
Hint = Callable[[Mapping[str, Placement]], int]


class Values(Protocol):
    """What both CpSolver and a solution callback offer to read a solution."""

    def value(self, expression: cp_model.LinearExprT) -> int: ...

    def boolean_value(self, literal: cp_model.LiteralT) -> bool: ...


def _not(literal: Literal) -> Literal:
    return (not literal) if isinstance(literal, bool) else ~literal


def _enforced(*literals: Literal) -> list[cp_model.LiteralT]:
    """Enforcement literals without the constant True ones (which always hold)."""
    return [lit for lit in literals if lit is not True]


def _as_expr(literal: Literal) -> cp_model.LinearExprT:
    return int(literal) if isinstance(literal, bool) else literal


@dataclass(slots=True)
class SessionVars:
    info: SessionInfo
    present: Literal
    start: cp_model.IntVar  # in slots
    slot_of: dict[int, int]  # candidate start (minutes) -> its slot
    length: int  # slots the session occupies
    rooms: dict[str, Literal]
    interval: cp_model.IntervalVar
    days: dict[int, Literal] = field(default_factory=dict)

    @property
    def end(self) -> cp_model.LinearExpr:
        return self.start + self.length



# A rule instance: (kind, key). Kinds: place, speaker, available, fixed, window, unavailable and group
# (keyed by a session, speaker or room id, or a group's index) and after (keyed by (pred, succ)).
RuleKey = str | tuple[str, str]
Rule = tuple[str, RuleKey]


class Guards:
    """One assumption literal per rule instance, created on first use; remembers what each means."""

    def __init__(self, model: cp_model.CpModel) -> None:
        self.model = model
        self.literals: dict[Rule, cp_model.IntVar] = {}

    def __call__(self, kind: str, key: RuleKey) -> list[Literal]:
        literal = self.literals.get((kind, key))
        if literal is None:
            literal = self.model.new_bool_var(f"{kind}[{key}]")
            self.literals[(kind, key)] = literal
        return [literal]


class PlacementModel:
    def __init__(self, inst: Instance, infos: Mapping[str, SessionInfo], *,
                 context: Mapping[str, Placement] | None = None, guards: Guards | None = None,
                 may_skip: Collection[str] = ()) -> None:
        self.inst = inst
        self.timeline = inst.timeline
        self.infos = infos
        self.context = dict(context or {})
        self.model = guards.model if guards else cp_model.CpModel()
        self.guards = guards
        self.vars: dict[str, SessionVars] = {}
        self.terms: list[tuple[int, cp_model.LinearExprT]] = []
        self._hints: list[tuple[cp_model.IntVar, Hint]] = []
        self._orders: dict[tuple[str, str], cp_model.IntVar] = {}
        self._spans: dict[str, dict[int, tuple[int, int]]] = {}
        for sid, info in infos.items():
            self.vars[sid] = self._session_vars(info, skippable=info.optional or sid in may_skip)
        self.add_room_unavailability()
        self.add_room_no_overlap()
        self.add_speaker_no_overlap()
        self.add_group_no_overlap()
        self.add_precedence()
        if not inst.strict:
            self.add_session_rules()

    def _guard(self, kind: str, key: RuleKey) -> list[Literal]:
        return self.guards(kind, key) if self.guards else []

    def _slot_hint(self, sid: str, placements: Mapping[str, Placement]) -> int:
        sv = self.vars[sid]
        return self.timeline.slot(placements[sid][1]) if sid in placements else sv.slot_of[sv.info.starts[0]]

    # --- variables -------------------------------------------------------------------------------

    def _session_vars(self, info: SessionInfo, skippable: bool) -> SessionVars:
        sid, m = info.id, self.model
        present: Literal = True
        if skippable:
            present = m.new_bool_var(f"present[{sid}]")
            self._hint(present, lambda p, sid=sid: int(sid in p))
        elif self.guards is not None:
            present = self.guards("place", sid)[0]
        slot_of = {st: self.timeline.slot(st) for st in info.starts}
        start = m.new_int_var_from_domain(cp_model.Domain.from_values(slot_of.values()), f"start[{sid}]")
        self._hint(start, lambda p, sid=sid: self._slot_hint(sid, p))
        if len(info.rooms) == 1 and not skippable:
            rooms: dict[str, Literal] = {info.rooms[0]: present}
        else:
            rooms = {r: m.new_bool_var(f"room[{sid},{r}]") for r in info.rooms}
            for r, lit in rooms.items():
                self._hint(lit, lambda p, sid=sid, r=r: int(sid in p and p[sid][0] == r))
            m.add(sum(rooms.values()) == present)
        length = self.timeline.slots(info.duration)
        interval = m.new_optional_fixed_size_interval_var(start, length, present, f"run[{sid}]")
        return SessionVars(info, present, start, slot_of, length, rooms, interval)

    def _hint(self, var: cp_model.IntVar, value: Hint) -> None:
        self._hints.append((var, value))

    def hint(self, placements: Mapping[str, Placement]) -> None:
        """Hint every variable from an agenda (placements of the free sessions, and the context)."""
        self.model.clear_hints()
        known = {**self.context, **{s: p for s, p in placements.items() if s in self.vars}}
        for var, value in self._hints:
            self.model.add_hint(var, value(known))

    def _restrict(self, sv: SessionVars, allowed: Sequence[int], enforcement: list[Literal]) -> None:
        """The start must be one of `allowed` (minutes) whenever every enforcement literal holds."""
        if len(allowed) == len(sv.info.starts):
            return
        if not allowed:
            self.model.add_bool_or([_not(lit) for lit in enforcement])
            return
        domain = cp_model.Domain.from_values([sv.slot_of[minute] for minute in allowed])
        self.model.add_linear_expression_in_domain(sv.start, domain).only_enforce_if(_enforced(*enforcement))

    # --- hard rules ------------------------------------------------------------------------------

    def add_room_unavailability(self) -> None:
        for sv in self.vars.values():
            for room, allowed in sv.info.room_starts.items():
                if room in sv.rooms:
                    self._restrict(sv, allowed, [sv.rooms[room], *self._guard("unavailable", room)])

    def add_room_no_overlap(self) -> None:
        """Sessions in one room never overlap, with the changeover between them."""
        gap = self.inst.changeover
        by_room: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
        for sid, sv in self.vars.items():
            size = self.timeline.slots(sv.info.duration + gap)
            for room, lit in sv.rooms.items():
                by_room[room].append(self.model.new_optional_fixed_size_interval_var(
                    sv.start, size, lit, f"in[{sid},{room}]"))
        for sid, (room, start) in self.context.items():
            if room in by_room:
                size = self.timeline.slots(self.inst.sessions[sid].duration_minutes + gap)
                by_room[room].append(self.model.new_fixed_size_interval_var(
                    self.timeline.slot(start), size, f"fixed[{sid}]"))
        for intervals in by_room.values():
            if len(intervals) > 1:
                self.model.add_no_overlap(intervals)

    def _no_overlap(self, members: Iterable[str], guard: list[Literal]) -> None:
        present = [self.vars[s] for s in dict.fromkeys(members) if s in self.vars]
        if len(present) < 2:
            return
        if not guard:
            self.model.add_no_overlap([sv.interval for sv in present])
            return
        intervals = []
        for sv in present:
            conditions = _enforced(sv.present, *guard)
            active = self.model.new_bool_var("")
            self.model.add_bool_and(conditions).only_enforce_if(active)
            self.model.add_bool_or([active, *(_not(x) for x in conditions)])
            intervals.append(self.model.new_optional_fixed_size_interval_var(sv.start, sv.length, active, ""))
        self.model.add_no_overlap(intervals)

    def add_speaker_no_overlap(self) -> None:
        for speaker, members in self.inst.by_speaker.items():
            self._no_overlap(members, self._guard("speaker", speaker))

    def add_group_no_overlap(self) -> None:
        for index, _, members in self.inst.groups:
            self._no_overlap(members, self._guard("group", str(index)))

    def add_precedence(self) -> None:
        for pred, succ in self.inst.edges:
            if pred in self.vars and succ in self.vars:
                first, then = self.vars[pred], self.vars[succ]
                self.model.add(first.end <= then.start).only_enforce_if(
                    _enforced(first.present, then.present, *self._guard("after", (pred, succ))))

    def add_session_rules(self) -> None:
        """Window, fixed start and room, speaker availability: filtered away unless explaining."""
        for sid, sv in self.vars.items():
            session = sv.info.session
            for name, rule in self.inst.start_rules(session).items():
                kind, _, speaker = name.partition(":")
                guard = self._guard(kind, speaker or sid)
                self._restrict(sv, [st for st in sv.info.starts if rule(st)], [sv.present, *guard])
            fixed_room = session.fixed.room if session.fixed else None
            if fixed_room is not None:
                guard = self._guard("fixed", sid)
                for room, lit in sv.rooms.items():
                    if room != fixed_room:
                        self.model.add_bool_or([_not(lit), *(_not(g) for g in guard)])

    # --- objective -------------------------------------------------------------------------------

    def add_objective(self, costs: Costs, day_loads: Sequence[int] | None = None) -> None:
        """Every soft goal, priced as in `solver.costs`; `day_loads` are the context's minutes per day."""
        self._unary_terms(costs)
        self._room_terms(costs)
        self._unscheduled_terms(costs)
        self._clash_pairs(costs)
        self._speaker_changes(costs)
        if costs.day_minute:
            self._day_balance(costs, day_loads or [0] * len(self.timeline.days))
        self.model.minimize(self.objective())

    def add_placing_objective(self, costs: Costs) -> None:
        """Only the sessions left out count: the quickest way to an agenda with everyone placed."""
        self._unscheduled_terms(costs)
        self.model.minimize(self.objective())

    def objective(self) -> cp_model.LinearExprT:
        return sum(coef * var for coef, var in self.terms)

    def _charge(self, coef: int, var: cp_model.LinearExprT) -> None:
        if coef:
            self.terms.append((coef, var))

    def _unary_terms(self, costs: Costs) -> None:
        """Start-dependent costs as a ladder: literal i holds when the start costs at least level i."""
        for sid, sv in self.vars.items():
            table = self._start_costs(costs, sid)
            levels = sorted(set(table.values()))
            self._charge(levels[0], _as_expr(sv.present))
            for below, level in zip(levels, levels[1:], strict=False):
                dearer = self.model.new_bool_var(f"cost[{sid}]>={level}")
                self._restrict(sv, [st for st, c in table.items() if c < level], [~dearer])
                self._hint(dearer, lambda p, sid=sid, table=table, level=level:
                           int(sid in p and table[p[sid][1]] >= level))
                self._charge(level - below, dearer)

    def _start_costs(self, costs: Costs, sid: str) -> dict[int, int]:
        """Preferences and remote audiences per start, plus track clashes with the fixed context."""
        info = self.infos[sid]
        base = costs.unary(sid)
        table = {st: base[st] for st in info.starts}
        for other in {o for track in self.inst.sessions[sid].tracks for o in self.inst.by_track[track]}:
            if other in self.context and other not in self.vars:
                weight = costs.clash_weight(sid, other)
                other_start = self.context[other][1]
                low = bisect_right(info.starts, other_start - info.duration)
                high = bisect_left(info.starts, other_start + self.inst.sessions[other].duration_minutes)
                for st in info.starts[low:high]:
                    table[st] += weight
        return table

    def _room_terms(self, costs: Costs) -> None:
        for sid, sv in self.vars.items():
            for room, lit in sv.rooms.items():
                self._charge(costs.room(sid, room), _as_expr(lit))

    def _unscheduled_terms(self, costs: Costs) -> None:
        for sv in self.vars.values():
            if sv.present is not True:
                self._charge(costs.unscheduled if sv.info.optional else costs.missing, 1 - sv.present)

    def _order(self, a: str, b: str) -> cp_model.IntVar:
        """A literal that holds when a ends before b starts (shared by all pairwise terms)."""
        key = (a, b)
        if key not in self._orders:
            first, then = self.vars[a], self.vars[b]
            order = self.model.new_bool_var(f"before[{a},{b}]")
            self.model.add(first.end <= then.start).only_enforce_if(
                _enforced(order, first.present, then.present))
            self._hint(order, lambda p, a=a, b=b, d=first.info.duration:
                       int(a in p and b in p and p[a][1] + d <= p[b][1]))
            self._orders[key] = order
        return self._orders[key]

    def _may_meet(self, a: str, b: str, slack: int) -> bool:
        """Whether a and b may come within `slack` minutes of each other on some day (a cheap test
        on each day's first start and last end, so it may say yes for pairs that never meet)."""
        spans_a, spans_b = self._day_spans(a), self._day_spans(b)
        return any(low < spans_b[day][1] + slack and spans_b[day][0] < high + slack
                   for day, (low, high) in spans_a.items() if day in spans_b)

    def _day_spans(self, sid: str) -> dict[int, tuple[int, int]]:
        spans = self._spans.get(sid)
        if spans is None:
            spans = {}
            info = self.infos[sid]
            for st in info.starts:
                day = self.timeline.day_of(st).index
                low, _ = spans.get(day, (st, st))
                spans[day] = (low, st + info.duration)
            self._spans[sid] = spans
        return spans

    def _pairs(self, groups: Iterable[list[str]], slack: int) -> list[tuple[str, str]]:
        pairs: set[tuple[str, str]] = set()
        for members in groups:
            free = sorted(s for s in dict.fromkeys(members) if s in self.vars)
            pairs.update((a, b) for i, a in enumerate(free) for b in free[i + 1:])
        return sorted(p for p in pairs if self._may_meet(*p, slack))

    def _clash_pairs(self, costs: Costs) -> None:
        """One literal per pair sharing a track that may overlap; it must hold for them to overlap."""
        for a, b in self._pairs(self.inst.by_track.values(), 0):
            weight = costs.clash_weight(a, b)
            if not weight:
                continue
            first, then = self.vars[a], self.vars[b]
            clash = self.model.new_bool_var(f"clash[{a},{b}]")
            order = self._order(a, b)
            self.model.add(then.end <= first.start).only_enforce_if(
                _enforced(~order, ~clash, first.present, then.present))
            self._hint(clash, lambda p, a=a, b=b: int(a in p and b in p
                                                      and costs.overlap(a, p[a], b, p[b]) > 0))
            self._charge(weight, clash)

    def _speaker_changes(self, costs: Costs) -> None:
        """A speaker's sessions in different rooms get SPEAKER_MOVE_MINUTES between them, or a charge."""
        if not costs.buffer:
            return
        for a, b in self._pairs(self.inst.by_speaker.values(), SPEAKER_MOVE_MINUTES):
            first, then = self.vars[a], self.vars[b]
            tight = self.model.new_bool_var(f"tight[{a},{b}]")
            escape = [tight]
            if self.inst.changeover < SPEAKER_MOVE_MINUTES:
                escape.append(self._same_room(a, b))
            order = self._order(a, b)
            unless = [*(~e for e in escape), *_enforced(first.present, then.present)]
            gap_a = self.timeline.slots(first.info.duration + SPEAKER_MOVE_MINUTES)
            gap_b = self.timeline.slots(then.info.duration + SPEAKER_MOVE_MINUTES)
            self.model.add(first.start + gap_a <= then.start).only_enforce_if([order, *unless])
            self.model.add(then.start + gap_b <= first.start).only_enforce_if([~order, *unless])
            self._hint(tight, lambda p, a=a, b=b: int(a in p and b in p
                                                      and costs.tight_change(a, p[a], b, p[b]) > 0))
            self._charge(costs.buffer, tight)
        for sid, sv in self.vars.items():
            for speaker in dict.fromkeys(sv.info.session.speakers):
                for other in self.inst.by_speaker[speaker]:
                    if other in self.context and other not in self.vars:
                        self._tight_with_fixed(costs, sid, other)

    def _same_room(self, a: str, b: str) -> cp_model.IntVar:
        same = self.model.new_bool_var(f"same_room[{a},{b}]")
        rooms_a, rooms_b = self.vars[a].rooms, self.vars[b].rooms
        # In a fixed order: a set's order changes from one process to the next, and so would the model.
        for room in dict.fromkeys([*rooms_a, *rooms_b]):
            lit_a, lit_b = rooms_a.get(room, False), rooms_b.get(room, False)
            self.model.add(_as_expr(lit_a) == _as_expr(lit_b)).only_enforce_if(same)
        self._hint(same, lambda p, a=a, b=b: int(a in p and b in p and p[a][0] == p[b][0]))
        return same

    def _tight_with_fixed(self, costs: Costs, sid: str, other: str) -> None:
        sv = self.vars[sid]
        room, start = self.context[other]
        # Priced as if in different rooms; the clause below waives it when the session shares `room`.
        apart = f"not {room}"
        tight_starts = [st for st in sv.info.starts
                        if costs.tight_change(sid, (apart, st), other, (room, start))]
        if not tight_starts:
            return
        within = self.model.new_bool_var("")
        self._restrict(sv, tight_starts, [within])
        self._restrict(sv, [st for st in sv.info.starts if st not in set(tight_starts)], [_not(within)])
        charged = self.model.new_bool_var(f"tight[{sid},{other}]")
        self.model.add_bool_or([_not(within), sv.rooms.get(room, False), charged])
        self._hint(within, lambda p, sid=sid, ts=frozenset(tight_starts): int(sid in p and p[sid][1] in ts))
        self._hint(charged, lambda p, sid=sid, other=other: int(
            sid in p and costs.tight_change(sid, p[sid], other, p[other]) > 0))
        self._charge(costs.buffer, charged)

    def _day_balance(self, costs: Costs, context_loads: Sequence[int]) -> None:
        """Minutes a day holds above its share are charged; only multi-day sessions get day literals."""
        timeline = self.timeline
        loads: list[list[cp_model.LinearExprT]] = [[load] for load in context_loads]
        for sid, sv in self.vars.items():
            by_day: dict[int, list[int]] = defaultdict(list)
            for st in sv.info.starts:
                by_day[timeline.day_of(st).index].append(st)
            if len(by_day) == 1:
                (day,) = by_day
                loads[day].append(sv.info.duration * _as_expr(sv.present))
                continue
            for day, starts in by_day.items():
                lit = self.model.new_bool_var(f"day[{sid},{day}]")
                self._restrict(sv, starts, [lit])
                self._hint(lit, lambda p, sid=sid, day=day:
                           int(sid in p and timeline.day_of(p[sid][1]).index == day))
                sv.days[day] = lit
                loads[day].append(sv.info.duration * lit)
            self.model.add(sum(sv.days.values()) == _as_expr(sv.present))
        for day, (parts, target) in enumerate(zip(loads, costs.day_targets, strict=True)):
            excess = self.model.new_int_var(0, 10**7, f"excess[{day}]")
            self.model.add(excess >= sum(parts) - target)
            self._hint(excess, lambda p, day=day, target=target: max(0, costs.day_loads(p)[day] - target))
            self._charge(costs.day_minute, excess)

    # --- re-planning -----------------------------------------------------------------------------

    def add_moves(self, baseline: Mapping[str, Placement]) -> cp_model.LinearExprT:
        """The number of baseline sessions whose room or start changes (or that are left out)."""
        moved: list[cp_model.LinearExprT] = []
        for sid, (room, start) in baseline.items():
            sv = self.vars.get(sid)
            if sv is None:
                continue
            if room not in sv.rooms or start not in sv.info.starts_in(room):
                moved.append(1)
                continue
            kept = self.model.new_bool_var(f"kept[{sid}]")
            if sv.rooms[room] is not True:
                self.model.add_implication(kept, sv.rooms[room])
            self.model.add(sv.start == self.timeline.slot(start)).only_enforce_if(kept)
            self._hint(kept, lambda p, sid=sid, place=(room, start): int(p.get(sid) == place))
            moved.append(1 - kept)
        return sum(moved)

    # --- reading ---------------------------------------------------------------------------------

    def read(self, values: Values) -> dict[str, Placement]:
        placements: dict[str, Placement] = {}
        for sid, sv in self.vars.items():
            if sv.present is not True and not values.boolean_value(sv.present):
                continue
            room = next(r for r, lit in sv.rooms.items() if lit is True or values.boolean_value(lit))
            placements[sid] = (room, self.timeline.minute_of(values.value(sv.start)))
        return placements
