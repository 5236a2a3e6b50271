"""Quiet, quick command line: every --help without TensorFlow; TensorFlow's start-up lines filtered
(model/tensorflow_start.py) without hiding a real error."""

from __future__ import annotations

import json
import subprocess
import sys

from model.tensorflow_start import kept_lines

# What TensorFlow 2.21 printed on start-up here (2 CPU cores, no NVIDIA device), TF_CPP_MIN_LOG_LEVEL=2 set.
START_UP = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796017659.437892   15292 port.cc:153] oneDNN custom operations are on. You may see slightly...
I0000 00:00:1796017659.438240   15292 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.
I0000 00:00:1796017659.549583   15292 cpu_feature_guard.cc:227] This TensorFlow binary is optimized...
To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow...
E0000 00:00:1796017701.940354   15292 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: UNKNOWN ERROR (303)
"""
REAL_ERROR = "E0000 00:00:1796017702.000000   15292 op_kernel.cc:1] something really failed\n"


def test_start_up_lines_are_filtered_by_level_and_the_cuinit_error_only_without_a_gpu():
    assert kept_lines(START_UP, min_level=2, gpu_present=False) == []
    assert kept_lines(START_UP + REAL_ERROR, min_level=2, gpu_present=False) == [REAL_ERROR]
    with_gpu = kept_lines(START_UP, min_level=2, gpu_present=True)
    assert len(with_gpu) == 1 and "failed call to cuInit" in with_gpu[0]  # with a GPU it is a real problem
    everything = kept_lines(START_UP, min_level=0, gpu_present=False)
    assert len(everything) == 4 and everything[3].startswith("To enable")  # a record keeps its continuation line
    assert kept_lines("a line of someone else's\n", min_level=3, gpu_present=False) == ["a line of someone else's\n"]


HELP_ALL = """
import argparse, json, sys
from app.cli import build_parser, main
commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
codes = {}
for command in ([], *([name] for name in commands)):
    try:
        main([*command, "--help"])
    except SystemExit as exit:
        codes[" ".join(command) or "rowscan"] = exit.code
print(json.dumps({"codes": codes, "tensorflow": "tensorflow" in sys.modules, "keras": "keras" in sys.modules}))
"""


def test_every_help_answers_without_importing_tensorflow():
    result = subprocess.run([sys.executable, "-c", HELP_ALL], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["codes"].values()) == {0} and {"rowscan", "train", "serve", "export"} <= set(report["codes"]), report
    assert not report["tensorflow"] and not report["keras"]
    assert "runs/<network>[-seed]-<UTC time>/" in result.stdout  # rowscan train --help: the real options
