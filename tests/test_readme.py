"""Every code block of README.md runs as written, against a real `rowscan serve` (issue 14).

The convention (also in the README's Develop section): ```bash and ```python blocks run from the
repository root, with the venv's bin folder first on PATH (as after `. .venv/bin/activate`), and
`127.0.0.1:8000` in them replaced by the address of the server this test starts. A block passes when it
exits 0 and prints no traceback and no error answer. Markers above a block (tests/readme_blocks.py):
`<!-- readme-test: skip: <reason> -->` (reported as a skip, with the reason) and
`<!-- readme-test: needs MNIST_DIR -->`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.readme_blocks import Block, ReadmeFormatError, parse_readme
from tests.server import rowscan_serve

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
README_ADDRESS = "127.0.0.1:8000"
BLOCKS = parse_readme(README)
BLOCK_TIMEOUT_S = 600


@pytest.fixture(scope="module")
def server() -> str:
    with rowscan_serve({"ROWSCAN_LOG_LEVEL": "warning"}) as base_url:
        yield base_url


def run_block(block: Block, address: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    code = block.code.replace(README_ADDRESS, address)
    command = ["bash", "-e", "-o", "pipefail", "-c", code] if block.runner == "bash" else [sys.executable, "-c", code]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BLOCK_TIMEOUT_S)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.runner], ids=lambda block: block.name)
def test_readme_block_runs_as_written(block, request):
    if block.skip:
        pytest.skip(f"{block.name}: {block.skip}")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    if block.needs_mnist:
        env["MNIST_DIR"] = str(request.getfixturevalue("mnist_dir"))
    address = request.getfixturevalue("server").removeprefix("http://") if README_ADDRESS in block.code else README_ADDRESS
    runs = ROOT / "runs"
    runs_before = set(runs.iterdir()) if runs.is_dir() else set()
    try:
        result = run_block(block, address, env)
    finally:  # a README training example writes a runs/ folder: not this test's to keep
        for folder in (set(runs.iterdir()) if runs.is_dir() else set()) - runs_before:
            shutil.rmtree(folder)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{block.name} exited {result.returncode}:\n{output[-3000:]}"
    assert "Traceback" not in output, output[-3000:]
    assert '"error":' not in result.stdout, f"{block.name} got an error answer:\n{result.stdout[:1000]}"


def test_readme_has_runnable_blocks():
    """The extraction finds the examples (a parser that found nothing would pass every block); the skipped
    ones are each reported, with their reason, by test_readme_block_runs_as_written."""
    runnable = [b for b in BLOCKS if b.runner and not b.skip]
    assert len(runnable) >= 3 and any(README_ADDRESS in b.code for b in runnable)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<!-- readme-test: skip: slow -->\nsome prose\n```bash\nls\n```\n", "marker not followed by a code block"),
        ("<!-- readme-test: skipp: slow -->\n```bash\nls\n```\n", "unknown readme-test marker 'skipp: slow'"),
        ("```ruby\nputs 1\n```\n", "code block in 'ruby'"),
        ("```bash\nls\n", "code block never closed"),
        ("```bash\nls\n```\n<!-- readme-test: skip: nothing below -->\n", "marker not followed by a code block"),
    ],
)
def test_malformed_markers_and_blocks_are_errors(tmp_path, text, problem):
    (tmp_path / "README.md").write_text(text)
    with pytest.raises(ReadmeFormatError, match=problem):
        parse_readme(tmp_path / "README.md")


def test_markers_apply_to_the_next_block(tmp_path):
    (tmp_path / "README.md").write_text(
        "<!-- readme-test: skip: starts a server -->\n\n```bash\nmake run\n```\n"
        "<!-- readme-test: needs MNIST_DIR -->\n```sh\nrowscan train\n```\n```json\n{}\n```\n```python\nprint(1)\n```\n"
    )
    blocks = parse_readme(tmp_path / "README.md")
    assert [(b.line, b.runner, b.skip, b.needs_mnist) for b in blocks] == [
        (3, "bash", "starts a server", False),
        (7, "bash", None, True),
        (10, None, None, False),
        (13, "python", None, False),
    ]
