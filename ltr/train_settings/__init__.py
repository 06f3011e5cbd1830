"""Training settings modules: ``ltr.train_settings.<module>.<name>`` defines ``run(settings)``."""
