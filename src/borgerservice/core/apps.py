from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "borgerservice.core"
    label = "core"
    verbose_name = "Borgerservice core"
