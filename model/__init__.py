"""Offline side of Rowscan: MNIST loading, the row-by-row networks, training, evaluation, export and the
comparison report (`rowscan compare`).

Nothing here imports the web service (`app`). The service imports from here: `artifacts` (loading what
training wrote), `shapes` (28 rows, 28 columns, 10 digits), `environment` (device and library versions for
the model card), `network` (the per-row view of a recurrent model, when it traces its graphs) and
`inspect` (the recurrent layer's states, for "explain"), `optional` (what an optional package's absence
says) and `tensorflow_start` (TensorFlow's quiet start); the `rowscan` command also runs `train_cli`,
`export`, `data` (its errors) and `comparison`.
"""
