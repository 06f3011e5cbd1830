"""Image-side feature helpers: patch extraction (preprocessing) and data augmentation."""
