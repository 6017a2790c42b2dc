from django.apps import AppConfig


class SampledataConfig(AppConfig):
    name = "puente.sampledata"
    label = "sampledata"
