"""deploy/env.example: lists every setting, and production's checks pass with its values."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / "env.example"


def example_values():
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_every_setting_read_from_the_environment_is_listed():
    read = set(
        re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", (ROOT / "sws/settings.py").read_text())
    )
    gunicorn = set(
        re.findall(
            r"""environ\.(?:get|setdefault)\(\s*["']([A-Z][A-Z0-9_]+)["']""",
            (ROOT / "deploy/gunicorn.conf.py").read_text(),
        )
    )
    assert read, "the pattern found no setting: sws/settings.py reads them another way now"
    # PROMETHEUS_MULTIPROC_DIR is gunicorn's alone (set by its unit), not for manage.py or Celery.
    missing = (read | gunicorn) - set(example_values()) - {"PROMETHEUS_MULTIPROC_DIR"}
    assert not missing, f"deploy/env.example does not list {sorted(missing)}"


def test_check_deploy_passes_with_the_example_values(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(example_values())
    env["DJANGO_SETTINGS_MODULE"] = "sws.settings"
    env["ATTACHMENTS_ROOT"] = str(tmp_path / "attachments")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
