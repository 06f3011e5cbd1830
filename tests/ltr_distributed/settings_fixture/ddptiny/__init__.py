"""A train-settings package for the distributed-training tests (added to ltr.train_settings)."""
