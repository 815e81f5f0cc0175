"""Copy every object of the SGU's bucket to a folder (backup.sh) or a folder's files into the
bucket (restore.sh), with the platform's own S3 settings (settings.STORAGES["default"]).

    python deploy/objects.py download DIR
    python deploy/objects.py upload DIR
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgu.settings")


def main(action: str, folder: str) -> int:
    import django

    django.setup()
    from django.core.files.storage import storages

    store = storages["default"]
    bucket = store.bucket
    base = Path(folder)
    count = 0
    if action == "download":
        for obj in bucket.objects.all():
            target = base / obj.key
            target.parent.mkdir(parents=True, exist_ok=True)
            bucket.download_file(obj.key, str(target))
            count += 1
    elif action == "upload":
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            bucket.upload_file(str(path), path.relative_to(base).as_posix())
            count += 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"{count} objetos", file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
