"""Samples: digits people drew and labelled, kept to review, export and fine-tune on."""
