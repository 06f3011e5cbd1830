"""Visualizations of tracking runs: rendering, live visdom panes with pause/step, the debug sink
trackers write to, and the session the runner builds them from (see ``session.py``)."""
