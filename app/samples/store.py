"""Reading and writing samples (synchronous SQLAlchemy: routes call these off the event loop)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Select, func, select

from app.storage import Database, Sample

PIXEL_DTYPE = "<f4"  # the 28x28 input the model saw, float32 little-endian


@dataclass(frozen=True)
class SampleFilter:
    label: int | None = None
    predicted: int | None = None
    wrong: bool | None = None  # True: the model was wrong; False: it was right

    def apply(self, query: Select) -> Select:
        if self.label is not None:
            query = query.where(Sample.label == self.label)
        if self.predicted is not None:
            query = query.where(Sample.predicted == self.predicted)
        if self.wrong is not None:
            query = query.where(Sample.label != Sample.predicted if self.wrong else Sample.label == Sample.predicted)
        return query


def pixels_of(sample: Sample) -> np.ndarray:
    return np.frombuffer(sample.pixels, PIXEL_DTYPE).reshape(28, 28)


def add_sample(database: Database, sample: Sample) -> Sample:
    """Insert and commit: once this returns, the sample is on disk."""
    with database.session() as session:
        session.add(sample)
    return sample


def list_samples(database: Database, where: SampleFilter, page: int, per_page: int) -> tuple[int, list[Sample]]:
    """One page, newest first, and the total matching."""
    with database.session() as session:
        total = session.scalar(where.apply(select(func.count(Sample.id))))
        query = where.apply(select(Sample)).order_by(Sample.id.desc()).offset((page - 1) * per_page).limit(per_page)
        return int(total or 0), list(session.scalars(query))


def all_samples(database: Database, where: SampleFilter | None = None) -> list[Sample]:
    """Every matching sample, oldest first (exports, fine-tuning)."""
    with database.session() as session:
        return list(session.scalars((where or SampleFilter()).apply(select(Sample)).order_by(Sample.id)))


def delete_sample(database: Database, sample_id: int) -> bool:
    with database.session() as session:
        sample = session.get(Sample, sample_id)
        if sample is None:
            return False
        session.delete(sample)
        return True


def count_samples(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count(Sample.id))) or 0)
