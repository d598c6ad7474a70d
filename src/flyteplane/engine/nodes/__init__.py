"""One handler per node kind; each advances a node by one step and reports through events."""
