"""Designing a policy: a many-objective robust search over the levers, across the plausible worlds.

* :mod:`experiments.design.spec`: design files (TOML), validated against the scenario schema.
* :mod:`experiments.design.search`: NSGA-II/III (pymoo) ask-and-tell; the runs on the sweep's executors; resume.
* :mod:`experiments.design.report`: the Pareto set, convergence, the out-of-sample check, PRIM, figure and words.
* :mod:`experiments.design.command`: ``python run.py design``.

pymoo is the ``design`` extra and is imported only where used.
"""
