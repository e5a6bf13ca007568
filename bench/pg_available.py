"""Exit 0 when a PostgreSQL server answers on 127.0.0.1:5432, 1 otherwise."""

import socket
import sys

try:
    with socket.create_connection(("127.0.0.1", 5432), timeout=1.0):
        sys.exit(0)
except OSError:
    sys.exit(1)
