"""Shared building blocks of the edu platform's services.

Nothing here imports a service: each service configures these pieces from
its own settings module.
"""
