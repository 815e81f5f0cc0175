"""The deployment files (deploy/) are used as they are: the systemd units, the gunicorn config
and the nginx site name commands and modules that exist; the backup keeps its retention."""

import subprocess

from ops.helpers import ROOT


def test_retention_keeps_the_newest_backups(tmp_path):
    """BACKUP_KEEP=2: after a backup, only the two newest folders remain."""
    backup_dir = tmp_path / "backups"
    for stamp in ("20261201T030000Z", "20261202T030000Z", "20261203T030000Z"):
        (backup_dir / f"sgu-{stamp}").mkdir(parents=True)
    script = (ROOT / "deploy" / "backup.sh").read_text()
    retention = script[script.index("# 4. Retention") : script.index('echo "$dest"')]
    subprocess.run(
        ["bash", "-c", f"set -euo pipefail\nbackup_dir={backup_dir}\nkeep=2\n{retention}"],
        check=True,
    )
    assert sorted(p.name for p in backup_dir.iterdir()) == [
        "sgu-20261202T030000Z",
        "sgu-20261203T030000Z",
    ]
