"""Environments, plans, deploys and teardown of the platform on AWS (see commands.py)."""

from woocom.deploy.commands import main

__all__ = ["main"]
