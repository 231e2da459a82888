"""Terraform driven from Python: the runner, offline validation and the stand-in provider."""
