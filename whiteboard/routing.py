"""The board socket's URL: /ws/boards/<id>/."""

from django.urls import path

from .consumers import BoardConsumer

websocket_urlpatterns = [path("ws/boards/<int:board_id>/", BoardConsumer.as_asgi())]
