"""ECO-HC with the OTB settings of the original repository's version 2.0 (its current
``runfiles/OTB_HC_settings.m``): the ECO 1.0 set (``default``) with learning rate 0.007, projection
regularization 1e-6, 200 first-frame CG iterations, projection preconditioner weight 60 and a
weaker spatial regularization (edge 4e-3)."""
from pytracking.tracker.eco.params import ECOParams


def parameters() -> ECOParams:
    """The ECO 2.0 OTB hand-crafted parameters."""
    return ECOParams(learning_rate=0.007, projection_reg=1e-6, init_CG_iter=10 * 20, precond_proj_param=60.0,
                     reg_window_edge=4e-3)
