"""The room socket's URL."""

from django.urls import path

from .consumers import RoomConsumer

websocket_urlpatterns = [path("ws/interviews/<int:interview_id>/", RoomConsumer.as_asgi())]
