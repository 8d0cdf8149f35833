"""The REST API of workstreams: milestones, measures, readings, status updates, budget lines."""
