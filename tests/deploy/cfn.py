"""Helpers for the deployment tests: the template as data, and the tool venvs that check it.

The template is read with a PyYAML loader that understands CloudFormation's short-form tags (!Ref, !Sub,
!GetAtt...) and turns them into their long form ({"Ref": ...}, {"Fn::Sub": ...}), which is what CloudFormation
itself does, so the tests can reason about the same structure the service sees.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from support import ROOT

TEMPLATE = ROOT / "deploy" / "template.yaml"
VENVS = ROOT / ".venvs"
TOOLS_HOW = "run `make tools` (scripts/install-tools.sh makes .venvs/sam, .venvs/checkov and .venvs/ministack)"


class CfnLoader(yaml.SafeLoader):
    """SafeLoader plus CloudFormation short-form intrinsic functions."""


def _construct_tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":  # !GetAtt Res.Attr is the list [Res, Attr]
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with open(path) as f:
        return yaml.load(f, Loader=CfnLoader)


def tool(venv: str, name: str) -> Path:
    return VENVS / venv / "bin" / name


def tool_env() -> dict[str, str]:
    """Environment for the AWS tools: dummy credentials and no telemetry, so nothing can reach AWS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        SAM_CLI_TELEMETRY="0",
    )
    return env


def run_tool(args: list[str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=tool_env(), capture_output=True, text=True, timeout=timeout)


def walk(node: Any) -> Iterator[Any]:
    """Every dict and list inside node, depth first (node included)."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
