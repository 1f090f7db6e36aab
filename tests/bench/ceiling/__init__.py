"""The benchmark's ceiling: one bare DRF view, served as the services are."""
