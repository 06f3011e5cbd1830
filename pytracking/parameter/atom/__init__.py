"""Parameter settings of the ATOM tracker: default, improved, multiscale_no_iounet, default_vot."""
