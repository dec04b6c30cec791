"""Calls (issue 10): precedence, scheduling; pure core modules first."""
