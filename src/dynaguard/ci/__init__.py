"""CI integrations: what a CI system needs around ``dynaguard code`` (GitHub Actions for now).

Like ``cli``, this package reads the environment and files and sets exit codes; the pure parts
(annotations, the job summary) are functions of a SARIF log, the report as the action sees it.
"""
