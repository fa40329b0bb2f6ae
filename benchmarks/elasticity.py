"""No knife edge: how much each headline outcome moves when one calibrated key moves by 10%.

    python benchmarks/elasticity.py [--seeds 5] [--steps 120] [--jobs 2] [--out results/elasticity]

Prints the Markdown table of docs/calibration.md (experiments/calibration/elasticity.py says how
it is measured) and writes elasticity.csv and elasticity.md into --out.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from experiments.calibration.elasticity import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
