"""Nothing is downloaded at run time: the reader loads its packaged models and reads text in a fresh interpreter
where the network is unreachable (every socket connect and name lookup raises) and rapidocr's download helper
raises if it is ever called; the wheel's model folder is unchanged afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cloudalbum
from cloudalbum.adapters.ml.text_reader import DETECTOR_FILE, RECOGNIZER_FILE, packaged_model_dir

from .conftest import needs_fonts, needs_rapidocr
from .painted import paint
from .scoring import words_of

OFFLINE_READ = r"""
import json, socket, sys

def unreachable(*args, **kwargs):
    raise OSError("network unreachable (test)")

socket.socket.connect = unreachable
socket.socket.connect_ex = unreachable
socket.create_connection = unreachable
socket.getaddrinfo = unreachable

import requests
requests.get = requests.post = requests.request = unreachable
from rapidocr.utils import download_file

calls = []

def no_download(*args, **kwargs):
    calls.append(repr(args)[:200])
    raise download_file.DownloadFileException("downloads are forbidden here (test)")

download_file.DownloadFile.run = classmethod(no_download)
download_file.DownloadFile._make_http_request = classmethod(no_download)

from PIL import Image
from cloudalbum.adapters.ml.text_reader import RapidTextReader

reader = RapidTextReader.load()
lines = reader.read(Image.open(sys.argv[1]))
print(json.dumps({"lines": [line.text for line in lines], "downloads": calls, "models": reader.models}))
"""


def test_reads_text_with_the_network_unreachable_and_downloads_failing(tmp_path: Path) -> None:
    needs_rapidocr()
    needs_fonts()
    painted = paint("astronaut", size=40, angle=5, style="sign", seed=5)
    photo = tmp_path / "painted.png"
    painted.image.save(photo)
    models = packaged_model_dir()
    before = sorted((p.name, p.stat().st_size) for p in models.iterdir())
    src = str(Path(cloudalbum.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, *filter(None, [os.environ.get("PYTHONPATH")])]),
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    proc = subprocess.run([sys.executable, "-c", OFFLINE_READ, str(photo)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["downloads"] == []
    assert set(words_of(painted.phrases)) <= set(words_of(result["lines"])), result["lines"]
    assert sorted((p.name, p.stat().st_size) for p in models.iterdir()) == before


def test_the_wheel_ships_both_models() -> None:
    needs_rapidocr()
    folder = packaged_model_dir()
    for name in (DETECTOR_FILE, RECOGNIZER_FILE):
        assert (folder / name).stat().st_size > 1_000_000, name

