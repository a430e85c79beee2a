from django.apps import AppConfig


class SynthesisConfig(AppConfig):
    name = "studies.synthesis"
    label = "synthesis"
    default_auto_field = "django.db.models.BigAutoField"
