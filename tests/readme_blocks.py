"""The code blocks of README.md and the markers above them, for tests/test_readme.py.

A fenced block is run when its language is one of RUNNABLE; blocks of SHOWN languages are output
shown to the reader and are not run. A block that cannot run in a test has a marker comment on the
line just above its fence (blank lines allowed in between):

    <!-- readme-test: skip: <why it cannot run in a test> -->
    <!-- readme-test: needs MNIST_DIR -->
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

RUNNABLE = {"bash": "bash", "sh": "bash", "shell": "bash", "python": "python"}
SHOWN = {"text", "json"}
FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)\s*$")
MARKER = re.compile(r"^<!--\s*readme-test:\s*(.*?)\s*-->$")
SKIP = re.compile(r"^skip:\s*(\S.*)$")
NEEDS_MNIST = "needs MNIST_DIR"


class ReadmeFormatError(ValueError):
    """A README block or marker the test cannot interpret; the message names the line."""


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    skip: str | None = None  # the reason, when marked skip
    needs_mnist: bool = False

    @property
    def runner(self) -> str | None:
        return RUNNABLE.get(self.language)

    @property
    def name(self) -> str:
        first = next((line.strip() for line in self.code.splitlines() if line.strip()), "")
        return f"README.md:{self.line} {first[:50]}"


def parse_readme(path: Path) -> list[Block]:
    """Every fenced block, with its marker; a marker not followed by a block, or an unknown one, is an error."""
    lines = path.read_text().splitlines()
    blocks: list[Block] = []
    marker: tuple[int, str] | None = None
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if found := MARKER.match(line):
            if marker is not None:
                raise ReadmeFormatError(f"README.md:{marker[0]}: readme-test marker not followed by a code block")
            marker = (index + 1, found.group(1))
        elif fence := FENCE.match(line):
            end = next((i for i in range(index + 1, len(lines)) if lines[i].strip() == fence.group(1)), None)
            if end is None:
                raise ReadmeFormatError(f"README.md:{index + 1}: code block never closed")
            code = "\n".join(lines[index + 1 : end]) + "\n"
            blocks.append(_block(index + 1, fence.group(2).lower(), code, marker))
            marker, index = None, end
        elif line and marker is not None:
            raise ReadmeFormatError(f"README.md:{marker[0]}: readme-test marker not followed by a code block")
        index += 1
    if marker is not None:
        raise ReadmeFormatError(f"README.md:{marker[0]}: readme-test marker not followed by a code block")
    return blocks


def _block(line: int, language: str, code: str, marker: tuple[int, str] | None) -> Block:
    if language not in RUNNABLE and language not in SHOWN:
        raise ReadmeFormatError(
            f"README.md:{line}: code block in '{language or 'no language'}'; "
            f"use one of {', '.join(sorted(RUNNABLE))} (run) or {', '.join(sorted(SHOWN))} (output, not run)"
        )
    if marker is None:
        return Block(line, language, code)
    text = marker[1]
    if skip := SKIP.match(text):
        return Block(line, language, code, skip=skip.group(1))
    if text == NEEDS_MNIST:
        return Block(line, language, code, needs_mnist=True)
    raise ReadmeFormatError(f"README.md:{marker[0]}: unknown readme-test marker '{text}' (skip: <reason> or {NEEDS_MNIST})")
