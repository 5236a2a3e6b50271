"""`rowscan finetune | promote | rollback`: new model versions from stored samples, and which one answers.

rowscan finetune lstm [--from samples.npz] [--promote]   train the next version from the promoted one
rowscan promote lstm 3                                   answer with version 3 by default
rowscan rollback lstm                                    back to the version promoted before

Running servers pick a promotion up within ROWSCAN_VERSION_POLL_S seconds (app.watcher).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _labelled_digits(settings, source: Path | None):
    """The stored samples (or an npz export) as model.finetune.LabelledDigits."""
    import numpy as np

    from app.samples.store import all_samples, pixels_of
    from app.storage import open_database
    from model.finetune import LabelledDigits

    if source is not None:
        return LabelledDigits.load_npz(source)
    database = open_database(settings)
    try:
        samples = all_samples(database)
    finally:
        database.close()
    if not samples:
        return LabelledDigits(np.zeros((0, 28, 28), np.float32), np.zeros(0, np.int64), np.zeros(0, str))
    return LabelledDigits(
        np.stack([pixels_of(s) for s in samples]).astype(np.float32),
        np.array([s.label for s in samples], np.int64),
        np.array([s.client_id for s in samples]),
    )


def finetune(args: argparse.Namespace) -> int:
    import hashlib

    from app.config import get_settings
    from app.storage import StorageError
    from app.versions import VersionError, VersionStore
    from model import artifacts
    from model.data import MnistFileError, load_mnist
    from model.finetune import FinetuneConfig
    from model.finetune import finetune as run_finetune

    settings = get_settings()
    store = VersionStore(settings)
    name = args.model
    if not settings.model_dir(name).is_dir():
        print(f"rowscan: no model '{name}' in {settings.artifacts_dir}", file=sys.stderr)
        return 2
    try:
        digits = _labelled_digits(settings, args.source)
        data = load_mnist(args.data_dir)
    except (StorageError, MnistFileError, OSError, KeyError, ValueError) as exc:
        print(f"rowscan: {exc}", file=sys.stderr)
        return 2
    if len(digits) < args.min_samples:
        print(f"rowscan: {len(digits)} samples; fine-tuning needs at least {args.min_samples} (--min-samples)", file=sys.stderr)
        return 2
    parent_version = store.promoted(name)
    parent_dir = store.directory(name, parent_version)
    parent_sha = hashlib.sha256((parent_dir / artifacts.MODEL_FILE).read_bytes()).hexdigest()
    version = store.next_version(name)
    out_dir = store.directory(name, version)
    print(f"Fine-tuning {name} version {parent_version} on {len(digits)} samples; writing version {version} to {out_dir}")
    config = FinetuneConfig(epochs=args.epochs, replay=args.replay)
    started = time.perf_counter()
    try:
        metrics = run_finetune(
            parent_dir, out_dir, digits, data, {"name": name, "version": parent_version, "sha256": parent_sha}, config
        )
    except ValueError as exc:
        print(f"rowscan: {exc}", file=sys.stderr)
        return 2
    lineage = metrics["lineage"]
    before, after, used = lineage["before"], lineage["after"], lineage["samples"]
    print(
        f"Done in {time.perf_counter() - started:.0f} s: {used['train']} samples from {used['train_clients']} writers trained, "
        f"{used['held_out']} from {used['held_out_clients']} other writers held out"
    )
    print(f"  held-out writers: {before['held_out']:.2%} -> {after['held_out']:.2%}")
    print(f"  MNIST test:       {before['mnist_test']:.2%} -> {after['mnist_test']:.2%}")
    if args.promote:
        try:
            store.promote(name, version)
        except VersionError as exc:
            print(f"rowscan: {exc}", file=sys.stderr)
            return 2
        print(f"Promoted: {name} answers with version {version} (running servers within {settings.version_poll_s:g} s)")
    else:
        print(f"Serve it by default with: rowscan promote {name} {version}")
    return 0


def promote(args: argparse.Namespace) -> int:
    from app.config import get_settings
    from app.versions import VersionError, VersionStore

    settings = get_settings()
    try:
        VersionStore(settings).promote(args.model, args.version)
    except VersionError as exc:
        print(f"rowscan: {exc}", file=sys.stderr)
        return 2
    print(f"{args.model} answers with version {args.version} (running servers within {settings.version_poll_s:g} s)")
    return 0


def rollback(args: argparse.Namespace) -> int:
    from app.config import get_settings
    from app.versions import VersionError, VersionStore

    settings = get_settings()
    try:
        version = VersionStore(settings).rollback(args.model)
    except VersionError as exc:
        print(f"rowscan: {exc}", file=sys.stderr)
        return 2
    print(f"{args.model} answers with version {version} again (running servers within {settings.version_poll_s:g} s)")
    return 0


def add_commands(commands) -> None:
    parser = commands.add_parser("finetune", help="train the next version of a model on the stored samples")
    parser.add_argument("model", help="a served model's name (lstm, gru, cnn)")
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="NPZ",
        help="an export (GET /api/samples/export?format=npz) instead of the database",
    )
    parser.add_argument("--promote", action="store_true", help="answer with the new version by default at once")
    parser.add_argument("--epochs", type=int, default=3, help="default: %(default)s")
    parser.add_argument("--replay", type=int, default=20_000, help="MNIST training digits mixed in (default: %(default)s)")
    parser.add_argument("--min-samples", type=int, default=20, help="refuse with fewer samples (default: %(default)s)")
    parser.add_argument("--data-dir", help="MNIST folder for replay and evaluation (default: $MNIST_DIR)")
    parser.set_defaults(handler=finetune)

    parser = commands.add_parser("promote", help="answer with this version of a model by default")
    parser.add_argument("model")
    parser.add_argument("version")
    parser.set_defaults(handler=promote)

    parser = commands.add_parser("rollback", help="answer with the version promoted before the current one")
    parser.add_argument("model")
    parser.set_defaults(handler=rollback)
