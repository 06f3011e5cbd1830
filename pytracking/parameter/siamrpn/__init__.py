"""Parameter settings of the SiamRPN tracker."""
