"""A collaborative board with lanes: elements, their op log, and the board socket. It knows nothing about
interviews; the app that owns a board says who may edit it (whiteboard/access.py)."""
