"""Image-side feature helpers: patch extraction (preprocessing), data augmentation, and the feature
modules a parameter set chooses (:mod:`.featurebase` defines the interface; :mod:`.extractor`
combines modules; :mod:`.net_wrappers` holds the network features, :mod:`.handcrafted` FHOG, colour
names and intensity)."""
