"""Talking to a router: VRP shell sessions over SSH or telnet, host-key trust, passwords.

- :mod:`~app.transport.shell`: :class:`VrpShell`, the CLI protocol over any text stream.
- :mod:`~app.transport.prompts`: prompt, question and pager recognition.
- :mod:`~app.transport.ssh`: :func:`open_ssh_session` (asyncssh, pinned host keys).
- :mod:`~app.transport.telnet`: :func:`open_telnet_session` (opt-in, cleartext).
- :mod:`~app.transport.hostkeys`: the app's own trust-on-first-use known_hosts store.
- :mod:`~app.transport.credentials`: passwords in the OS keyring, or in memory only.

Sessions satisfy :class:`app.engine.ports.RouterSession` structurally; this package never
imports the engine (the composition root, :mod:`app.bootstrap`, wires the two together).
The package itself imports nothing, so `app.transport.credentials` loads without asyncssh.
"""
