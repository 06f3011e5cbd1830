"""Training settings of the Siamese trackers.

* ``siamfc``: SiamFC as in the paper (GOT-10k, plus LaSOT / TrackingNet / ImageNet VID when their
  paths are set in ltr/admin/local.py); ``python ltr/run_training.py siam siamfc``.
* ``siamfc_synthetic``: instant CPU training of a narrow SiamFC on generated synthetic videos;
  ``python ltr/run_training.py siam siamfc_synthetic``.

Checkpoints go to ``<workspace_dir>/checkpoints/ltr/siam/<name>/SiamFCNet_epNNNN.pth.tar``. To
track with one, copy it into the ``network_path`` folder of pytracking/evaluation/local.py as
``siamfc_default.pth`` (the default parameter file's name) or pass ``network_path=<file>`` as a
parameter override of ``pytracking/run_tracker.py siamfc default``.
"""
