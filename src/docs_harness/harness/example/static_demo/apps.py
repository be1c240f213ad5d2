from django.apps import AppConfig


class StaticDemoConfig(AppConfig):
    name = "static_demo"
    verbose_name = "Static files demo"
