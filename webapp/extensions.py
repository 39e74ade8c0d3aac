"""Flask extensions, created unbound and attached to the app in `create_app`."""

from flask_socketio import SocketIO

socketio = SocketIO()
