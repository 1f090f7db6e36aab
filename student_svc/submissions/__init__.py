"""Submissions: what students hand in to an assignment."""
