from django.db import migrations

TOPICS = [
    ("atencion", "Atención en oficinas y canales del regulador", 1),
    ("sitio-web", "Sitio web y plataforma SGU", 2),
    ("operadoras", "Supervisión de las empresas operadoras", 3),
    ("tarifas", "Tarifas y normas", 4),
    ("otro", "Otro tema", 9),
]


def add_topics(apps, schema_editor):
    Topic = apps.get_model("suggestions", "SuggestionTopic")
    for code, name, position in TOPICS:
        Topic.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]

    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
