"""Assignments: what teachers set in a course and students submit to."""
