"""Checks that run against real endpoints with a deployed stack's outputs."""
