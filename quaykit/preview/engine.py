"""Run the real program (stacks/__main__.py) in-process under Pulumi's mock engine and record what it declared."""
import json
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from .mocks import PlanMocks

PROJECT = "quaykit"


@dataclass
class Recorded:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    provider: str
    inputs: dict[str, Any]


@dataclass
class ProgramRun:
    project: str
    stack: str
    resources: list[Recorded] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)


class RecordingMonitor(MockMonitor):
    """The mock monitor, plus a record of every registration with its parent and provider."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.recorded: list[Recorded] = []

    def RegisterResource(self, request):
        from pulumi.runtime import rpc
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.recorded.append(Recorded(
                urn=self.make_urn(request.parent, request.type, request.name), type=request.type,
                name=request.name, parent=request.parent, custom=bool(request.custom),
                provider=request.provider, inputs=rpc.deserialize_properties(request.object)))
        return response


def engine_config(config: dict[str, Any]) -> dict[str, str]:
    """Config as the engine hands it to a program: structured values as JSON text. An empty (null) key is not set:
    as text it would reach the program as the string "null", which `config check` never saw."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items() if v is not None}


def run_program(program: Path, *, stack: str, config: dict[str, Any], secret_keys: list[str]) -> ProgramRun:
    runtime_config.set_all_config(engine_config(config), secret_keys)
    runtime_settings.ROOT.set(None)
    mocks = PlanMocks()
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    runtime_settings.SETTINGS.rpc_manager.clear()
    runtime_settings.SETTINGS.outputs.clear()

    _sync_await(run_pulumi_func(lambda: runpy.run_path(str(program), run_name="__main__")))

    run = ProgramRun(project=PROJECT, stack=stack, resources=monitor.recorded)
    root = runtime_settings.get_root_resource()
    for name, value in (root.outputs if root else {}).items():
        output = pulumi.Output.from_input(value)
        run.outputs[name] = _sync_await(output.future())
        if _sync_await(output.is_secret()):
            run.secret_outputs.add(name)
    return run
