"""A changed bootstrap template reaches the Equinix fleet one batch per `pulumi up`, never all at once.

The engine replaces a Metal device whose user data changed (equinix/terraform-provider-equinix#159) unless
`userData` is in the device's ignoreChanges. These tests run the real program before and after a template edit
and apply exactly that rule to what the engine received.
"""
import shutil

import pytest

import components.templating as templating
from conftest import ROOT
from quaykit.preview import engine
from quaykit.preview.plan import normalise
from quaykit.stacks import load_stack_with_overrides

DEVICE = "equinix-metal:index/device:Device"
TEMPLATE = "build-node.cloud-init.yaml.j2"


def devices(stack: str, overrides: list[str], monkeypatch) -> dict[str, tuple[str, list[str]]]:
    """name -> (user data, ignoreChanges) of every Metal device, as registered with the engine."""
    seen: dict[str, list[str]] = {}
    register = engine.RecordingMonitor.RegisterResource

    def recording(self, request):
        seen[request.name] = list(request.ignoreChanges)
        return register(self, request)

    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResource", recording)
    loaded = load_stack_with_overrides(ROOT, stack, overrides)
    run = engine.run_program(ROOT / "stacks" / "__main__.py", stack=stack, config=loaded.config,
                             secret_keys=loaded.secret_keys)
    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResource", register)
    return {r.name: (normalise(r.inputs, reveal=True)["userData"], seen[r.name])
            for r in run.resources if r.type == DEVICE}


@pytest.fixture
def edited_template(tmp_path, monkeypatch):
    """Switch the program to a copy of templates/ whose build-node template has one more package."""
    copy = tmp_path / "templates"
    shutil.copytree(templating.TEMPLATES_DIR, copy)
    text = (copy / TEMPLATE).read_text()
    (copy / TEMPLATE).write_text(text.replace("  - curl\n", "  - curl\n  - htop\n"))

    def switch():
        monkeypatch.setattr(templating, "TEMPLATES_DIR", copy)
        templating.environment.cache_clear()
    yield switch
    templating.environment.cache_clear()


def replaced_after_edit(overrides: list[str], edited_template, monkeypatch) -> set[str]:
    before = devices("staging", overrides, monkeypatch)
    edited_template()
    after = devices("staging", overrides, monkeypatch)
    assert before.keys() == after.keys()
    changed = {name for name in after if after[name][0] != before[name][0]}
    assert changed == set(after), "the edit should change every node's rendered user data"
    return {name for name in changed if "userData" not in after[name][1]}


def test_a_template_edit_replaces_one_batch_of_agents_only(edited_template, monkeypatch):
    replaced = replaced_after_edit(["pool.count=7", "pool.rollout.batchSize=2"], edited_template, monkeypatch)
    assert replaced == {"pool-node-1", "pool-node-2"}


def test_advancing_the_wave_rolls_the_next_batch(edited_template, monkeypatch):
    replaced = replaced_after_edit(["pool.count=7", "pool.rollout.batchSize=2", "pool.rollout.wave=1"],
                                   edited_template, monkeypatch)
    assert replaced == {"pool-node-3", "pool-node-4"}


@pytest.mark.parametrize("count, batch", [(2, 1), (5, 1), (6, 2), (10, 3)])
def test_every_wave_replaces_at_most_one_batch_and_the_waves_cover_every_agent(count, batch, monkeypatch):
    rolled: set[str] = set()
    for wave in range(-(-(count - 1) // batch)):
        nodes = devices("staging", [f"pool.count={count}", f"pool.rollout.batchSize={batch}",
                                    f"pool.rollout.wave={wave}"], monkeypatch)
        free = {name for name, (_, ignored) in nodes.items() if "userData" not in ignored}
        assert 1 <= len(free) <= batch, (wave, free)
        assert "pool-node-0" not in free, "the k3s server must not be replaced by a template edit"
        rolled |= free
    assert rolled == {f"pool-node-{i}" for i in range(1, count)}
