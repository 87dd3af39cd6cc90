"""The offline preview: the real program under Pulumi's mock engine."""
