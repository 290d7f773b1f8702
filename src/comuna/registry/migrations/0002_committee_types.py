"""Seed the catalogue of working committees and technical tables (Ley Orgánica de los
Consejos Comunales). Dated: entries can be closed and new ones added without losing history."""

from __future__ import annotations

from datetime import date

from django.db import migrations

COMMITTEES = [
    ("health", "Health", "Salud", False),
    ("land", "Urban or rural land", "Tierra urbana o rural", False),
    ("housing", "Housing and habitat", "Vivienda y hábitat", False),
    ("communal-economy", "Communal economy", "Economía comunal", False),
    ("security", "Integral security and defence", "Seguridad y defensa integral", False),
    ("community-media", "Community media", "Medios alternativos comunitarios", False),
    ("sport", "Recreation and sport", "Recreación y deportes", False),
    ("food", "Food and consumer protection", "Alimentación y defensa del consumidor", False),
    ("water", "Water technical table", "Mesa técnica de agua", True),
    ("energy-gas", "Energy and gas technical table", "Mesa técnica de energía y gas", True),
    ("children", "Children and adolescents", "Protección de niños, niñas y adolescentes", False),
    ("disabilities", "People with disabilities", "Personas con discapacidad", False),
    (
        "education",
        "Education, culture and citizen training",
        "Educación, cultura y formación ciudadana",
        False,
    ),
    ("family-gender", "Family and gender equality", "Familia e igualdad de género", False),
    ("producers", "Producers' networks", "Redes de productores", False),
    ("exchange", "Exchange systems", "Sistemas de intercambio", False),
    ("risk", "Risk management", "Gestión de riesgos", False),
    ("transport", "Transport", "Transporte", False),
    ("telecom", "Telecommunications technical table", "Mesa técnica de telecomunicaciones", True),
    ("environment", "Environment", "Ambiente", False),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    CommitteeType = apps.get_model("registry", "CommitteeType")
    for code, name, name_es, table in COMMITTEES:
        CommitteeType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_es": name_es,
                "technical_table": table,
                "valid_from": date(2009, 11, 28),
            },
        )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("registry", "CommitteeType").objects.filter(
        code__in=[c[0] for c in COMMITTEES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
