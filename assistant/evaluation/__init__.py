"""Measuring answer quality on question sets: `newsdesk eval DATASET_DIR`."""
