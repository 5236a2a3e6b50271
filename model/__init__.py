"""Offline side of Rowscan: MNIST loading, the row-by-row networks, training and evaluation.

Nothing here imports the web service; the service imports `model.artifacts` to load what
training wrote.
"""
