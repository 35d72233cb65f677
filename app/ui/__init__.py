"""The desktop application: the only package that imports PySide6, pyqtgraph and qasync.

It reads the engine through :class:`app.engine.runtime.Runtime` (built by the composition
root and handed in by `app.commands.gui`), never the transport or the simulator.
"""
