"""Alert delivery beyond the screen: Prometheus Alertmanager and direct notifications.

Both follow the engine's event bus (`AlertChanged`) and never slow it down: the Alertmanager
forwarder posts with aiohttp on the loop, the apprise notifier sends from a worker thread
(a slow SMTP server must never block polling). The composition root (`app.bootstrap`)
builds them for the GUI and `serve`; the UI sees only their status through the Runtime
(`app.domain.notifications`), so nothing else imports this package.
"""
