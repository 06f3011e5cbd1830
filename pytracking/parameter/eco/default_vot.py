"""ECO-HC with the published VOT2016 settings of the original release (``VOT2016_HC_settings.m``):
the OTB set (``default``) with a higher learning rate (0.01), a stronger projection regularization
(5e-7), 200 first-frame CG iterations, forgetting rate 60, a weaker regularization preconditioner
(0.2), a weaker spatial regularization (edge 4e-3) and a sparser regularization kernel (0.15)."""
from pytracking.tracker.eco.params import ECOParams


def parameters() -> ECOParams:
    """The published ECO-HC VOT2016 parameters."""
    return ECOParams(learning_rate=0.01, projection_reg=5e-7, init_CG_iter=10 * 20, CG_forgetting_rate=60.0,
                     precond_reg_param=0.2, reg_window_edge=4e-3, reg_sparsity_threshold=0.15)
