"""One ComponentResource per layer. Components never read pulumi.Config: the program hands them typed settings."""
