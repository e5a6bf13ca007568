"""Run every benchmark in bench/ (files named bench_*.py), each in its own process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
failed = False
for script in sorted(here.glob("bench_*.py")):
    print(f"# {script.name}", flush=True)
    result = subprocess.run([sys.executable, str(script)], check=False)
    failed = failed or result.returncode != 0
sys.exit(1 if failed else 0)
