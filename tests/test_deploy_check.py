"""`manage.py check --deploy` is clean with production settings."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_deploy_check_is_clean_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DEMO", "BORGERSERVICE_TESTING"}
    }
    env.update(
        {
            "SECRET_KEY": "x7!kq-production-secret-for-the-check-" + "a9Zp3" * 8,
            "DEBUG": "0",
            "DEMO": "0",
            "ALLOWED_HOSTS": "borgerservice.kk.dk",
            "SECURE_COOKIES": "1",
            "SECURE_SSL_REDIRECT": "1",
            "HSTS_SECONDS": "31536000",
            "HSTS_PRELOAD": "1",
            "SQLITE_PATH": str(REPO / "var" / "deploy-check.sqlite3"),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
