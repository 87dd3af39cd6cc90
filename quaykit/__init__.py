"""quaykit: a Pulumi kit for a Quay registry platform."""
