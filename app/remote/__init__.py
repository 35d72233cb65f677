"""Collector mode: the desktop window fed by a collector's feed instead of its own sessions.

A `serve` on the site's LAN (the collector) holds the only SSH sessions to the routers;
desktop seats read its WebSocket feed and history endpoint and send console lines, changes
and acknowledgements through it. This package turns that feed back into the engine's own
picture -- section records with the router's times, router states, alerts, events on an
:class:`~app.engine.events.EventBus` -- behind the same facade the window uses for a local
engine (:class:`~app.engine.runtime.MonitorFacade`), so the views need no branches for it.

Qt-free, and it never imports the transport, the simulator, the keyring or the UI (an
import-linter contract says so): the composition root hands it the token and the TLS
settings.
"""
