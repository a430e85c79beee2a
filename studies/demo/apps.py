from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The `seed_demo` command: a believable workspace for trying ResearchHub."""

    name = "studies.demo"
    label = "demo"
