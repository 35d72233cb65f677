"""Render VRP8 command output from a :class:`~app.simulator.device.DeviceState`.

Pure functions of the state: the text a real NE8000 prints for the command (no echo, no
prompt, no paging; the CLI layer adds those). Bad arguments raise
:class:`~app.simulator.errors.CommandError` with the box's error message.
"""

from app.simulator.render.alarms import render_alarm_active
from app.simulator.render.interfaces import (
    render_interface,
    render_interface_brief,
    render_interface_description,
)
from app.simulator.render.subscribers import (
    render_access_user_detail,
    render_access_user_online_total,
    render_access_user_overview,
    render_access_user_slot,
    render_access_user_summary,
    render_access_users,
    render_domain,
    render_ip_pool,
    render_ip_pool_usage,
    render_pppoe_statistics,
)
from app.simulator.render.system import (
    render_cpu_usage,
    render_device,
    render_health,
    render_memory_usage,
    render_version,
    render_version_slot,
)

__all__ = [
    "render_access_user_detail",
    "render_access_user_online_total",
    "render_access_user_overview",
    "render_access_user_slot",
    "render_access_user_summary",
    "render_access_users",
    "render_alarm_active",
    "render_cpu_usage",
    "render_device",
    "render_domain",
    "render_health",
    "render_interface",
    "render_interface_brief",
    "render_interface_description",
    "render_ip_pool",
    "render_ip_pool_usage",
    "render_memory_usage",
    "render_pppoe_statistics",
    "render_version",
    "render_version_slot",
]
