"""Root test configuration: runs before Django starts, so settings see the test flag."""

import os

os.environ.setdefault("BORGERSERVICE_TESTING", "1")
os.environ.setdefault("AXES_ENABLED", "1")
