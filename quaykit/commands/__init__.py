"""One module per `quaykit` command."""
