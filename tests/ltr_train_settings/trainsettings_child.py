"""Child process of the kill/resume test: trains bbreg/atom_synthetic with the InstantConfig given
as JSON in argv[1] (fields override the defaults), seed 0, one torch thread."""
import json
import logging
import sys

import torch

from ltr.run_training import make_settings, set_seed
from ltr.train_settings.bbreg import atom_synthetic


def main() -> None:
    torch.set_num_threads(1)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stdout)
    config = atom_synthetic.InstantConfig(**json.loads(sys.argv[1]))
    settings = make_settings("bbreg", "atom_synthetic", cudnn_benchmark=False, seed=0)
    set_seed(settings.process_seed)
    atom_synthetic.train(settings, config)


if __name__ == "__main__":
    main()
