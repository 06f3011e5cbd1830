"""Experiment modules for ``pytracking/run_experiment.py``: each public function of a module here
takes no arguments and returns ``(trackers, dataset)`` — a list of
:class:`pytracking.evaluation.tracker.Tracker` (:func:`~pytracking.evaluation.tracker.trackerlist`
makes several runs) and the sequences to run them on
(:func:`pytracking.evaluation.datasets.get_dataset`). Add a module or a function to define your own.
"""
