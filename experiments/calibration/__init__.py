"""Calibration as inference: fit the calibrated parameters to several patterns of today's web at once.

    python run.py calibrate [--quick] [--out DIR] [--jobs N] [--scheduler ADDRESS] [--resume]

``scenarios/posterior/calibration.toml`` declares the calibrated keys with their priors and the
patterns with their sources and tolerances (:mod:`.spec`); :mod:`.fit` runs ABC-SMC with pyabc
on a local process pool or a Dask cluster; :mod:`.report` checks the posterior against every
pattern on fresh seeds, the held-out one included. :mod:`.posterior` reads and applies the
posterior file without the inference library (``compare --posterior``, ``sweep``).
"""

from __future__ import annotations

from experiments.calibration.spec import Calibration, CalibrationError, read

__all__ = ["Calibration", "CalibrationError", "read"]
