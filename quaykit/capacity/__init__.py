"""Build-pool capacity and cost planning: how many build nodes a stack needs and what they cost a month.

Kept free of settings imports at package level: `quaykit.settings.capacity` reads the price list from here.
"""
