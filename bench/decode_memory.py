"""Peak memory of decoding the memory bombs of tests/security (issue 12), one bare process per file.

For each file: a fresh Python process imports cloudalbum, reads the file, then decodes it and makes the two
thumbnails as the worker does (no model: that is the worker's constant ~430 MiB, measured by
tests/security/test_memory_bombs.py on the real worker); it reports its peak RSS (VmHWM) minus its RSS before
decoding, and what `decode_bytes` predicted from the header. Memory, not time: the figures do not depend on the
machine's load.

    .venv/bin/python bench/decode_memory.py                    # this tree's sources
    .venv/bin/python bench/decode_memory.py --src /tmp/old/src # another tree (git archive <commit> src | tar -x)

The budget is not applied here (a file the upload refuses is still decoded), so `before` and `after` compare
the decoders themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from security.test_memory_bombs import BOMBS  # the same files as the test

CHILD = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
def status(key):
    return int(next(l for l in open("/proc/self/status") if l.startswith(key)).split()[1]) * 1024
from cloudalbum.media import decode as d
from cloudalbum.media.thumbnails import make_thumbnails
from PIL import Image
import io
data = open(sys.argv[1], "rb").read()
predicted = None
if hasattr(d, "decode_bytes"):
    with Image.open(io.BytesIO(data)) as im:
        predicted = d.decode_bytes(im)
before = status("VmRSS")
out = "ok"
try:
    decoded = d.decode(data)
    make_thumbnails(decoded.image)
except Exception as exc:
    out = f"{type(exc).__name__}: {str(exc)[:80]}"
print(json.dumps({"peak": status("VmHWM") - before, "predicted": predicted, "outcome": out}))
"""


def measure(path: Path, src: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    r = subprocess.run([sys.executable, "-c", CHILD, str(path)], env=env, capture_output=True, text=True,
                       timeout=600)
    if r.returncode != 0:
        return {"peak": None, "predicted": None, "outcome": f"exit {r.returncode}: {r.stderr.strip()[-120:]}"}
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the sources to measure (a src/ folder)")
    parser.add_argument("--only", nargs="*", help="file names to measure (default: all)")
    args = parser.parse_args()
    mib = 2**20
    with tempfile.TemporaryDirectory() as tmp:
        for name, make, _ in BOMBS:
            if args.only and name not in args.only:
                continue
            data = make()
            if data is None:
                print(f"{name}: not made")
                continue
            path = Path(tmp) / name
            path.write_bytes(data)
            m = measure(path, args.src)
            peak = f"{m['peak'] / mib:.0f} MiB" if m["peak"] is not None else "-"
            predicted = f"{m['predicted'] / mib:.0f} MiB" if m["predicted"] is not None else "-"
            print(f"{name:34} {len(data):>10,} bytes  decode peak {peak:>9}  predicted {predicted:>9}  "
                  f"{m['outcome']}", flush=True)


if __name__ == "__main__":
    main()
