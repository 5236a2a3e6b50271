"""`rowscan train`: the command line of model/train.py, parsed before TensorFlow is imported.

    rowscan train --config seed      # the notebook's recipe, to report how it does
    rowscan train --config default   # what Rowscan ships (augmented, scheduled, longer)
    rowscan train --network gru      # the comparison models: gru, cnn (default: lstm)
    python -m model.train_cli ...    # the same, without the console script

Each run writes a new folder `runs/<name>-<UTC time>/` (git-ignored) unless `--out` names one;
a folder that is not empty (a shipped model) is replaced only with `--force`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from model import artifacts
from model.recipes import ARCHITECTURES, CONFIGS
from model.tensorflow_start import start_tensorflow

RUNS_DIR = Path("runs")  # default output: one new folder per run, relative to the working directory


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Train a network on MNIST and write its artifacts.")
    parser.add_argument("--network", choices=sorted(ARCHITECTURES), default="lstm", help="which network (default: %(default)s)")
    parser.add_argument("--config", choices=sorted(CONFIGS), default="default", help="training recipe (default: %(default)s)")
    parser.add_argument("--data-dir", help="folder of the four MNIST .gz files (default: $MNIST_DIR, else Keras's download)")
    parser.add_argument(
        "--out",
        type=Path,
        help="output folder (default: a new runs/<network>[-seed]-<UTC time>/); "
        "--out model/artifacts/<name> replaces a shipped model",
    )
    parser.add_argument("--force", action="store_true", help="write into an --out folder that is not empty (replacing its model)")
    parser.add_argument("--epochs", type=int, help="override the configuration's number of epochs")
    parser.add_argument("--limit", type=int, help="train on the first N training images only (smoke runs)")
    parser.add_argument("--init-from", type=Path, help="start from this model folder's weights (required by --config styles)")
    return parser


class OutputFolderError(RuntimeError):
    """An output folder that a run must not write into (it would replace a model without being asked to)."""


def run_folder(name: str, now: datetime) -> Path:
    """A new folder for one run, e.g. runs/lstm-seed-20261130T054512Z."""
    return RUNS_DIR / f"{name}-{now:%Y%m%dT%H%M%SZ}"


def check_output_folder(out_dir: Path, *, force: bool) -> None:
    """Refuse a file, or a folder holding anything, unless --force says to replace what is there."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputFolderError(f"{out_dir} is a file, not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise OutputFolderError(f"{out_dir} is not empty; add --force to replace the model in it")


def _drop_stale_onnx(out_dir: Path) -> None:
    """A model.onnx exported from the replaced model.keras no longer matches it (the service would refuse it)."""
    onnx_file = out_dir / artifacts.ONNX_FILE
    if onnx_file.is_file():
        onnx_file.unlink()
        print(f"Removed {onnx_file}: it was exported from the replaced model (`rowscan export --onnx` writes a new one)")


def run_from_args(args: argparse.Namespace) -> int:
    name = args.network if args.config == "default" else f"{args.network}-{args.config}"
    out_dir = args.out or run_folder(name, datetime.now(UTC))
    try:
        check_output_folder(out_dir, force=args.force)
    except OutputFolderError as exc:
        print(f"rowscan train: {exc}", file=sys.stderr)
        return 2
    if CONFIGS[args.config].needs_parent and args.init_from is None:
        print(
            f"rowscan train: --config {args.config} fine-tunes a trained model: add --init-from model/artifacts/<name>",
            file=sys.stderr,
        )
        return 2
    start_tensorflow()  # before model.train imports it: its start-up lines filtered
    from model.data import MnistError, load_mnist
    from model.environment import device_name
    from model.train import train

    try:
        data = load_mnist(args.data_dir)
    except MnistError as exc:
        print(f"rowscan train: {exc}", file=sys.stderr)
        return 2
    print(f"Writing to {out_dir}/")
    print(f"MNIST from {data.source}: {len(data.train)} train, {len(data.validation)} validation, {len(data.test)} test")
    print(f"Network '{args.network}': {ARCHITECTURES[args.network]}")
    print(f"Config '{args.config}': {CONFIGS[args.config].description}  Device: {device_name()}")
    metrics = train(
        args.config,
        data,
        out_dir,
        epochs=args.epochs,
        limit=args.limit,
        network_name=args.network,
        reference_dir=artifacts.ARTIFACTS_DIR / artifacts.SEED_MODEL,
        init_from=args.init_from,
    )
    _drop_stale_onnx(out_dir)
    print(
        f"Test accuracy {metrics['test_accuracy']:.2%} ({metrics['test_misses']} misses of {metrics['test_size']}), "
        f"best epoch {metrics['best_epoch']}/{metrics['epochs_run']}, {metrics['parameters']:,} parameters, "
        f"trained in {metrics['training_seconds']:.0f} s on {metrics['training_device']}. Artifacts in {out_dir}/"
    )
    if args.out is None:
        print(f"Serve it: ROWSCAN_ARTIFACTS_DIR={out_dir.parent} ROWSCAN_MODELS={out_dir.name} rowscan serve")
    return 0


def main(argv: list[str] | None = None, prog: str = "python -m model.train_cli") -> int:
    return run_from_args(build_parser(prog).parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
