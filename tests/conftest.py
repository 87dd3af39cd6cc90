"""Shared fixtures: the real program run under the mock engine, per stack, as the engine saw it."""
import functools
from pathlib import Path

import pytest

from quaykit.preview.engine import ProgramRun, Recorded, run_program
from quaykit.preview.plan import normalise
from quaykit.stacks import load_stack_with_overrides

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_STACKS = ("dev", "staging", "prod")


@functools.lru_cache(maxsize=None)
def _run(stack: str, overrides: tuple[str, ...]) -> ProgramRun:
    loaded = load_stack_with_overrides(ROOT, stack, list(overrides))
    return run_program(ROOT / "stacks" / "__main__.py", stack=stack, config=loaded.config,
                       secret_keys=loaded.secret_keys)


class Plan:
    """A program run with lookups that fail with the URNs that do exist."""

    def __init__(self, run: ProgramRun):
        self.run = run

    @property
    def resources(self) -> list[Recorded]:
        return self.run.resources

    def of_type(self, resource_type: str) -> list[Recorded]:
        return [r for r in self.run.resources if r.type == resource_type]

    def one(self, resource_type: str, name: str | None = None) -> Recorded:
        found = [r for r in self.of_type(resource_type) if name is None or r.name == name]
        assert len(found) == 1, (f"expected one {resource_type} {name or ''}, found "
                                 f"{[r.urn for r in found] or 'none'}")
        return found[0]

    def inputs(self, resource: Recorded, reveal: bool = False) -> dict:
        return normalise(resource.inputs, reveal=reveal)

    def by_urn(self, urn: str) -> Recorded:
        return next(r for r in self.run.resources if r.urn == urn)


@pytest.fixture(scope="session")
def plan_for():
    """plan_for("dev") or plan_for("prod", "pool.count=5"): the recorded run (cached per argument set)."""
    return lambda stack, *overrides: Plan(_run(stack, tuple(overrides)))
