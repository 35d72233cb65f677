"""The Qt-free asyncio core: session pools, changes, console policy, audit, snapshots.

Reaches routers and secrets only through the protocols in :mod:`app.engine.ports`; the
composition root (:mod:`app.bootstrap`) hands in the real transport.
"""
