"""Reading Server-Sent Events in tests: frames of `id:`, `event:`, `data:` lines, blank-line separated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class Frame:
    id: int | None
    event: str
    data: Any


def parse(text: str) -> list[Frame]:
    frames = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if line and not line.startswith(":") and ":" in line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
        if "data" in fields:
            seq = int(fields["id"]) if "id" in fields else None
            frames.append(Frame(seq, fields.get("event", "message"), json.loads(fields["data"])))
    return frames
