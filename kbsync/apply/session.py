"""ONE guarded apply, shared by ``kbsync apply`` and every cycle of ``kbsync watch``.

Under the manifest folder's apply lock (held from before the remote state is read until
the apply has finished, see ``lock``): read the remote state and plan, vet the plan (a
saved plan must still be fresh), judge it against the safety guards and the account's
limits, and apply it only when nothing refused. The commands decide what to show and
whether to ask a person; what may be sent is decided here, once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple, TextIO

from kbsync.apply.executor import apply_plan
from kbsync.apply.lock import apply_lock
from kbsync.errors import GuardError
from kbsync.manifest.statuses import with_status_hint
from kbsync.model import ApplyResult, DesiredState, Plan, PlanOptions
from kbsync.plan.limits import LimitCheck, check_limits
from kbsync.plan.pipeline import Planned, read_and_plan
from kbsync.render.progress import Progress
from kbsync.robofy.api import RobofyApi


class Guarded(NamedTuple):
    """A fresh plan, made under the lock and judged: no ``refusals`` means it may be applied."""

    planned: Planned
    limits: LimitCheck  # empty when a guard refused anyway (the limits were not asked)

    @property
    def plan(self) -> Plan:
        return self.planned.plan

    @property
    def refusals(self) -> tuple[str, ...]:
        """The safety guards' refusals, else one per account limit the plan would exceed."""
        over = tuple(f"account limits: {problem}" for problem in self.limits.problems)
        return tuple(self.plan.refusals) or over


def _unvetted(planned: Planned) -> None:
    """Most plans need no check beyond the guards (a saved plan's freshness is one)."""


class ApplySession(NamedTuple):
    api: RobofyApi
    parallelism: int = 8
    notices: TextIO | None = None  # where waiting for another apply is said; None: stderr

    @contextmanager
    def guarded(
        self,
        desired: DesiredState,
        options: PlanOptions,
        vet: Callable[[Planned], None] = _unvetted,
    ) -> Iterator[Guarded]:
        """Hold the apply lock, read, plan, ``vet`` and judge; apply inside the ``with``,
        so no other apply of this manifest changes the remote between plan and apply."""
        with apply_lock(desired.manifest_path, self.notices or sys.stderr):
            planned = read_and_plan(self.api, desired, options, parallelism=self.parallelism)
            vet(planned)
            yield Guarded(planned, _limit_check(self.api, planned))

    def apply(
        self,
        guarded: Guarded,
        *,
        wait: bool = True,
        wait_timeout: float = 1800.0,
        progress: Progress | None = None,
    ) -> ApplyResult:
        """Apply a plan judged by ``guarded`` (inside its ``with``); GuardError, nothing
        sent, when something refused it. A wait that ended on statuses Robofy's docs leave
        open gets a note with the manifest's `api:` line that settles them."""
        if guarded.refusals:
            refused = "; ".join(guarded.refusals)
            raise GuardError(f"the plan was refused, nothing was applied: {refused}")
        result = apply_plan(
            self.api,
            guarded.plan,
            parallelism=self.parallelism,
            wait=wait,
            wait_timeout=wait_timeout,
            progress=progress,
        )
        return with_status_hint(result, guarded.planned.desired.statuses)


def _limit_check(api: RobofyApi, planned: Planned) -> LimitCheck:
    """Not asked when a guard refused the plan anyway."""
    if planned.plan.refusals:
        return LimitCheck()
    return check_limits(api, planned.plan, planned.inventory)
