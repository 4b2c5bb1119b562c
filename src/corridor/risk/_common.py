"""Constants and array types shared by the risk modules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    pass


FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SCHEMA_VERSION = 1
DEFAULT_YEARS = 100_000
CHUNK_YEARS = 16_384
"""Years per chunk: the unit of seeding, of work for one worker and of peak memory."""
MAX_YEARS = 10_000_000
"""Most simulated years in one run, on the command line and the API alike: about a minute in
one process, where the tail figures have long stopped moving."""
BINS = 8_192
"""Histogram bins per distribution (VaR resolution: the range over ``BINS``)."""
LEVELS = (0.95, 0.99)
THRESHOLDS = (0.01, 0.05, 0.10, 0.25, 0.50)
"""Default shares of annual volume for P(lose more than X %)."""
TIMINGS = ("stationary", "onset")
DEFAULT_K = 8
DAYS = 365.0
MIN_MOVE_T = 1e-6
"""Moves smaller than this many tonnes are not route choices (rounding residue)."""


# --------------------------------------------------------------------------- what is stressed
