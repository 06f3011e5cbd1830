"""Parameter settings of the SiamFC tracker."""
