"""Exit 0 when PostgreSQL answers on 127.0.0.1:5432 and accepts the test login.

A server that answers but refuses the login (password, missing role) is reported,
so a skipped PostgreSQL run never goes unnoticed.
"""

import os
import socket
import sys

try:
    with socket.create_connection(("127.0.0.1", 5432), timeout=1.0):
        pass
except OSError:
    sys.exit(1)

try:
    import psycopg

    url = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    base = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, connect_timeout=3) as conn:
        conn.execute("SELECT 1")
except Exception as exc:  # any failure to log in means the PostgreSQL run cannot happen
    print(f"PostgreSQL answers on 127.0.0.1:5432 but refused the test login: {exc}")
    sys.exit(1)
sys.exit(0)
