"""dynaguard: find and fix integrity failures and mass assignment in Flask + DynamoDB APIs."""

__version__ = "0.1.0"

__all__ = ["__version__"]
