"""Sweeps, global sensitivity analysis and tipping points.

* :mod:`experiments.sweep.design`: sweep files (TOML), validated against the scenario schema; grid, LHS and Sobol designs.
* :mod:`experiments.sweep.execute`: a local process pool or a Dask cluster; runs.csv written as runs finish; resume.
* :mod:`experiments.sweep.analysis`: Sobol indices (SALib), figures, PRIM tipping boxes (EMA Workbench).
* :mod:`experiments.sweep.ema`: the model as an EMA Workbench model.

The heavy libraries (SALib, Dask, EMA Workbench) are the ``explore`` extra and are imported only where used.
"""
