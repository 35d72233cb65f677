"""The optional local HTTP/WebSocket feed (aiohttp): live router data for walls and tools.

Qt-free; it reads the engine only through the :class:`~app.engine.monitor.Monitor` facade.
Start it with :class:`app.feed.server.FeedServer`.
"""
