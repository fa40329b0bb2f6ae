"""Sweeps, global sensitivity analysis and tipping points.

* :mod:`model.sweep.design`: sweep files (TOML), validated against the scenario schema; grid, LHS and Sobol designs.
* :mod:`model.sweep.execute`: a local process pool or a Dask cluster; runs.csv written as runs finish; resume.
* :mod:`model.sweep.analysis`: Sobol indices (SALib), figures, PRIM tipping boxes (EMA Workbench).
* :mod:`model.sweep.ema`: the model as an EMA Workbench model.

The heavy libraries (SALib, Dask, EMA Workbench) are the ``explore`` extra and are imported only where used.
"""
