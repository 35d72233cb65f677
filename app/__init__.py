"""NE8000 Monitor: a NOC desktop monitor for Huawei NE8000 BRAS routers."""

__version__ = "0.1.0"
