"""Tests of dynaguard.secure, against the embedded DynamoDB."""
