"""Parameter settings of the ATOM tracker: default, multiscale_no_iounet, default_vot."""
