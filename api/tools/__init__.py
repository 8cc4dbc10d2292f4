"""Operator tools run from the Makefile (dependency audit, load test)."""
