"""The feed's wire format: every message and answer as a typed :class:`msgspec.Struct`.

The same types are encoded for the clients (:func:`app.feed.wire.base.encode`, one
encoder reused), decode what clients send (:mod:`app.feed.wire.client`), and generate the
OpenAPI components (:mod:`app.feed.openapi`), so the documented shapes cannot drift from
the ones sent.
"""
