"""The yearly evaluation of stations' service contracts (考核评估): computations, the cycle's services,
the evaluator's scope, pages and exports. Models: `sws.models.evaluation`."""
