"""A requirement may hold several files (the API attaches them on filing and afterwards):
the single `Requirement.attachment` becomes `RequirementAttachment` rows. The file stays
where it is (same directory, same name); its size and fingerprint are read from storage."""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


def move_attachments(apps, schema_editor):
    from django.core.files.storage import default_storage

    Requirement = apps.get_model("provider", "Requirement")
    Attachment = apps.get_model("provider", "RequirementAttachment")
    for req in Requirement.objects.exclude(attachment="").iterator():
        stored = req.attachment.name
        size, digest = 0, hashlib.sha256()
        if default_storage.exists(stored):
            with default_storage.open(stored, "rb") as fh:
                for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                    size += len(chunk)
                    digest.update(chunk)
        name = req.attachment_name or stored.rsplit("/", 1)[-1]
        Attachment.objects.create(
            requirement=req,
            name=name[:200],
            content_type=TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/pdf"),
            size=size,
            sha256=digest.hexdigest(),
            file=stored,
            uploaded_at=req.filed_at,
            uploaded_by_id=req.filed_by_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("provider", "0002_report_subscription"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RequirementAttachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="nombre")),
                ("content_type", models.CharField(max_length=40, verbose_name="tipo de archivo")),
                ("size", models.PositiveIntegerField(verbose_name="tamaño (bytes)")),
                ("sha256", models.CharField(max_length=64, verbose_name="huella SHA-256")),
                (
                    "file",
                    models.FileField(
                        max_length=200, upload_to="proveedor/%Y/", verbose_name="archivo"
                    ),
                ),
                ("uploaded_at", models.DateTimeField(verbose_name="adjuntado")),
                (
                    "requirement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attachments",
                        to="provider.requirement",
                        verbose_name="requerimiento",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="adjuntado por",
                    ),
                ),
            ],
            options={
                "verbose_name": "adjunto del requerimiento",
                "verbose_name_plural": "adjuntos del requerimiento",
                "ordering": ["uploaded_at", "id"],
            },
        ),
        migrations.RunPython(move_attachments, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="requirement",
            name="attachment",
        ),
        migrations.RemoveField(
            model_name="requirement",
            name="attachment_name",
        ),
    ]
