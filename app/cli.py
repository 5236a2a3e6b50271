"""The `rowscan` command: train, serve, export, compare.

rowscan train [--config seed|default] [--data-dir DIR] ...   train into runs/<name>-<time>/ (or --out)
rowscan serve [--host H] [--port P] [--workers N]             start the web app (Granian, one worker per core)
rowscan export --saved-model DIR [--model lstm]               a SavedModel for TensorFlow Serving
rowscan db upgrade | current | revision -m MSG                the database's migrations
rowscan finetune lstm [--promote]; promote lstm 3; rollback lstm   model versions (app.versions_cli)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from app import versions_cli


def serve(args: argparse.Namespace) -> int:
    from app.config import get_settings
    from app.server import run, run_folder

    settings = get_settings()
    with run_folder() as folder:  # first: it sets the metrics mode for all that follows
        from app.model_loading import check_artifacts
        from app.storage import StorageError, open_database
        from model.artifacts import ArtifactError

        try:
            check_artifacts(settings)  # a missing or unreadable file: one clear line, before any worker starts
            # Migrate once here, before any worker starts: workers then find the schema up to date.
            open_database(settings).close()
        except (ArtifactError, StorageError) as exc:
            print(f"rowscan: cannot start: {exc}", file=sys.stderr)
            return 2
        host, port = args.host or settings.host, args.port or settings.port
        return run(settings, folder, host, port, args.workers or settings.worker_count)


def export(args: argparse.Namespace) -> int:
    from model.tensorflow_start import start_tensorflow

    start_tensorflow()  # before model.export imports it: its start-up lines filtered
    from app.config import get_settings
    from model.artifacts import ArtifactError, load_keras_model
    from model.export import export_onnx, export_saved_model
    from model.optional import MissingPackage

    settings = get_settings()
    try:
        if args.onnx:
            for name in args.model or settings.models:
                path = export_onnx(settings.model_dir(name))
                print(f"ONNX model written to {path} (what the server runs on a CPU, ROWSCAN_BACKEND=auto or onnx)")
            return 0
        name = (args.model or [settings.default_model])[0]
        path = export_saved_model(load_keras_model(settings.model_dir(name)), args.saved_model / args.version)
    except (ArtifactError, MissingPackage) as exc:
        print(f"rowscan: {exc}", file=sys.stderr)
        return 2
    print(f"SavedModel written to {path} (signature serving_default: rows [N, 28, 28] float32 -> probabilities [N, 10])")
    base = args.saved_model.resolve()
    print(f"Serve it with: tensorflow_model_server --rest_api_port=8501 --model_name={name} --model_base_path={base}")
    return 0


def db(args: argparse.Namespace) -> int:
    from app.config import get_settings
    from app.storage import Database, StorageError
    from app.storage.migrate import current_revision, new_revision

    database = Database(get_settings().database_url_or_default)
    try:
        if args.action == "upgrade":
            database.open()
            print(f"{database.name}: at migration {current_revision(database.engine)}")
        elif args.action == "current":
            print(f"{database.name}: at migration {current_revision(database.engine) or '(none: empty database)'}")
        else:
            new_revision(database.engine, args.message, args.autogenerate)
    except StorageError as exc:
        print(f"rowscan: {exc}", file=sys.stderr)
        return 2
    finally:
        database.close()
    return 0


def compare(args: argparse.Namespace) -> int:
    """`rowscan compare`: model/comparison.py measures the served models; what it measures of the service
    (its drawing preparation, its runners for each backend) is handed to it from here."""
    from model.tensorflow_start import start_tensorflow

    start_tensorflow()  # before the imports below load it: its start-up lines filtered
    from app.config import get_settings
    from app.inference import GraphModel, OnnxModel, Runner
    from app.preprocess import prepare_image_bytes
    from model import comparison
    from model.artifacts import COMPARISON_FILE, ONNX_FILE
    from model.data import MnistError
    from model.optional import MissingPackage

    def load_runners(directory: Path, keras_model) -> dict[str, Runner]:
        graph = GraphModel(keras_model)
        graph.compile_single_digit()  # as the server does after start-up
        runners: dict[str, Runner] = {"tensorflow": graph}
        if (directory / ONNX_FILE).is_file():
            try:
                runners["onnx"] = OnnxModel(directory / ONNX_FILE)
            except MissingPackage as exc:  # the report then has TensorFlow timings only, as without model.onnx
                print(f"rowscan compare: {exc}; {directory.name}: no ONNX Runtime timings", file=sys.stderr)
        return runners

    settings = get_settings()
    names = args.models.split(",") if args.models else settings.models
    try:
        report = comparison.measure(
            names,
            args.data_dir,
            args.redrawn,
            settings.artifacts_dir,
            prepare_drawing=lambda data: prepare_image_bytes(data).pixels,
            load_runners=load_runners,
            per_style=args.per_style,
        )
    except MnistError as exc:
        print(f"rowscan compare: {exc}", file=sys.stderr)
        return 2
    out = args.out or settings.artifacts_dir
    print(comparison.write_report(report, out))
    print(f"Written: {out / COMPARISON_FILE}, {out / comparison.REPORT_MD}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rowscan", description="Rowscan: an LSTM that reads handwritten digits row by row.")
    commands = parser.add_subparsers(dest="command", required=True)

    # `rowscan train ...` is handed whole to model.train_cli (see main), which has its own --help.
    commands.add_parser("train", help="train a model on MNIST and write its artifacts (rowscan train --help)", add_help=False)

    serve_parser = commands.add_parser("serve", help="start the web app and API (Granian)")
    serve_parser.add_argument("--host", help="interface to listen on (default: $ROWSCAN_HOST or 127.0.0.1)")
    serve_parser.add_argument("--port", type=int, help="port (default: $ROWSCAN_PORT or 8000)")
    serve_parser.add_argument(
        "--workers", type=int, help="worker processes, each with its own models (default: $ROWSCAN_WORKERS or one per core)"
    )
    serve_parser.set_defaults(handler=serve)

    export_parser = commands.add_parser("export", help="write a SavedModel for TensorFlow Serving, or model.onnx files")
    target = export_parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--saved-model", type=Path, metavar="DIR", help="SavedModel base folder; the model goes in DIR/<version>")
    target.add_argument("--onnx", action="store_true", help="write model.onnx beside each model.keras (served on a CPU)")
    export_parser.add_argument("--model", action="append", help="model name (repeatable; default: the served models, or lstm)")
    export_parser.add_argument("--version", default="1", help="version sub-folder, as TF Serving expects (default: %(default)s)")
    export_parser.set_defaults(handler=export)

    db_parser = commands.add_parser("db", help="the database: apply migrations, show the current one, write a new one")
    db_parser.add_argument("action", choices=["upgrade", "current", "revision"], help="upgrade: apply pending migrations")
    db_parser.add_argument("-m", "--message", default="change", help="revision: what the new migration does")
    db_parser.add_argument("--autogenerate", action="store_true", help="revision: fill it from the table classes")
    db_parser.set_defaults(handler=db)

    versions_cli.add_commands(commands)

    compare_parser = commands.add_parser("compare", help="measure every served model side by side and write a report")
    compare_parser.add_argument("--models", help="comma-separated model names (default: the served models, $ROWSCAN_MODELS)")
    compare_parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DIR, else Keras's download)")
    compare_parser.add_argument("--redrawn", type=int, default=10_000, help="re-drawn digits to score (default: %(default)s)")
    compare_parser.add_argument("--per-style", type=int, help="drawings per handwriting style (default: 100)")
    compare_parser.add_argument("--out", type=Path, help="report folder (default: the artifacts folder)")
    compare_parser.set_defaults(handler=compare)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["train"]:  # imports TensorFlow; the other commands keep start-up light
        from model.train_cli import main as train_main

        return train_main(argv[1:], prog="rowscan train")
    args = build_parser().parse_args(argv)
    from app.config import SettingsError

    try:
        return args.handler(args)
    except SettingsError as exc:  # one line naming the variable, not a traceback
        print(f"rowscan: cannot start: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
