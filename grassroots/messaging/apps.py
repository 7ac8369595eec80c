from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "grassroots.messaging"
    verbose_name = "Messaging"
