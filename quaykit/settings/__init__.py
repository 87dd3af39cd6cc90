"""Typed stack settings: stack config → validated, immutable models handed to components."""
from .errors import SettingsError
from .loader import read_stack_file, secret_placeholder, settings_from_config, settings_from_pulumi_runtime
from .stack import StackSettings

__all__ = ["SettingsError", "StackSettings", "read_stack_file", "secret_placeholder",
           "settings_from_config", "settings_from_pulumi_runtime"]
