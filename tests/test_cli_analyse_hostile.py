"""``miner analyse`` given hostile inputs: every input answered, later inputs still answered, no hang.

Run as a user runs it (a real process). Each case would, without its check, block the batch (a
FIFO), read without end (``/dev/zero``), read 2 GB (a sparse file), lose every later line (JSON
nested too deeply raises RecursionError) or turn the batch into a usage error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from miner.config import Settings

ROOT = Path(__file__).resolve().parent.parent
NL = "Anderstalige nieuwkomers krijgen extra taalondersteuning op school en een inburgeringstraject."
FR = "Les primo-arrivants suivent un parcours d'intégration et des cours de français."


def miner(
    *args: str, stdin: bytes | None = None, wrapper: list[str] | None = None, **env: str
) -> subprocess.CompletedProcess[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    return subprocess.run(
        [*(wrapper or []), sys.executable, "-m", "miner", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        timeout=180,  # a FIFO read or /dev/zero would block or run far past this
        check=False,
    )


def test_special_missing_and_oversized_files_are_per_input_errors(tmp_path: Path) -> None:
    first = tmp_path / "eerste.txt"
    first.write_text(NL, encoding="utf-8")
    last = tmp_path / "laatste.txt"
    last.write_text(FR, encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # nobody writes to it: reading it would wait forever
    folder = tmp_path / "map"
    folder.mkdir()
    sparse = tmp_path / "groot.txt"
    with sparse.open("wb") as f:  # 2 GB that take no disk: refused from its size, never read
        f.truncate(2 * 1024**3)
    hostile = {
        str(fifo): "FIFO",
        str(folder): "folder",
        str(tmp_path / "weg.pdf"): "no such file",
        "/dev/zero": "device",
        str(sparse): "over the input cap",
    }
    if Path("/proc/self/mem").exists():  # unreadable even by root: reading offset 0 fails (EIO)
        hostile["/proc/self/mem"] = "cannot read"
    args = [str(first), *hostile, str(last)]
    proc = miner("analyse", "--format", "json", *args)
    assert proc.returncode == 1, proc.stderr  # some inputs failed: not a usage error of the batch
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [o["id"] for o in out] == args  # every input answered, in order
    assert out[0]["error"] is None and out[0]["migrant"] is True
    assert out[-1]["error"] is None and out[-1]["migrant"] is True  # answered after all the others
    stderr = proc.stderr.decode()
    for answer in out[1:-1]:
        what = hostile[answer["id"]]
        assert what in answer["error"] and answer["migrant"] is None, answer
        assert f"error: {answer['id']}: " in stderr and what in stderr  # also said on stderr
    assert "Traceback" not in stderr


#: Root reads any file whatever its mode; without these capabilities it is refused like anyone else.
DROP_READ_OVERRIDE = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


@pytest.mark.skipif(
    os.geteuid() == 0 and shutil.which("setpriv") is None,
    reason="running as root without setpriv: chmod 000 does not stop root from reading",
)
def test_a_file_without_read_permission_is_a_per_input_error(tmp_path: Path) -> None:
    locked = tmp_path / "dicht.txt"
    locked.write_text(NL, encoding="utf-8")
    locked.chmod(0)
    other = tmp_path / "open.txt"
    other.write_text(FR, encoding="utf-8")
    wrapper = DROP_READ_OVERRIDE if os.geteuid() == 0 else []
    proc = miner("analyse", "--format", "json", str(locked), str(other), wrapper=wrapper)
    assert proc.returncode == 1, proc.stderr  # that input's error, not a usage error of the batch (2)
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert "cannot read the file (Permission denied)" in out[0]["error"] and out[1]["error"] is None


def test_hostile_jsonl_lines_are_answered_one_by_one(tmp_path: Path) -> None:
    cap = 1000  # MINER_MAX_TEXT_CHARS for this run: the line cap is 6 x 1000 + 64 KiB
    lines = [
        json.dumps({"id": "eerste", "text": NL}).encode(),
        b'{"id": "diep", "text": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",  # RecursionError
        b"[" * 60_000,  # nested and unterminated
        b"\xff\xfe not UTF-8",
        b'{"id": "surrogaat", "text": "abc \\ud800 def"}',
        json.dumps({"id": {"x": 1}, "text": NL}).encode(),
        json.dumps({"id": "lang", "text": "woord " * 1000}).encode(),  # 6,000 characters > cap
        json.dumps({"id": "regel", "text": "x" * 200_000}).encode(),  # a line over the line cap
        b"",
        json.dumps({"id": "laatste", "text": FR}).encode(),
    ]
    proc = miner("analyse", "--jsonl", stdin=b"\n".join(lines) + b"\n", MINER_MAX_TEXT_CHARS=str(cap))
    assert proc.returncode == 1, proc.stderr
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    ids = ["eerste", "line-2", "line-3", "line-4", "surrogaat", "line-6", "lang", "line-8", "laatste"]
    assert [o["id"] for o in out] == ids
    by_id = {o["id"]: o for o in out}
    assert by_id["eerste"]["migrant"] is True and by_id["laatste"]["migrant"] is True
    assert "nested too deeply" in by_id["line-2"]["error"] and "nested too deeply" in by_id["line-3"]["error"]
    assert "not UTF-8" in by_id["line-4"]["error"]
    assert "not valid Unicode" in by_id["surrogaat"]["error"]
    assert "'id' must be a string or a number" in by_id["line-6"]["error"]
    assert "over the cap of 1000 (MINER_MAX_TEXT_CHARS)" in by_id["lang"]["error"]
    assert "over the cap" in by_id["line-8"]["error"]
    assert "Traceback" not in proc.stderr.decode() and "internal error" not in proc.stdout.decode()


def test_a_long_text_is_refused_at_the_default_cap_without_being_analysed() -> None:
    cap = Settings.model_fields["max_text_chars"].default
    text = "inburgering " * (cap // 12 + 1)  # just over the default cap
    stdin = json.dumps({"id": "groot", "text": text}) + "\n" + json.dumps({"id": "klein", "text": NL}) + "\n"
    proc = miner("analyse", "--jsonl", stdin=stdin.encode())
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [o["id"] for o in out] == ["groot", "klein"]
    assert f"{len(text)} characters, over the cap of {cap}" in out[0]["error"]
    assert out[1]["migrant"] is True and proc.returncode == 1
