"""Network models: backbones, bounding-box regressors and their building blocks."""
