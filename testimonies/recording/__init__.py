"""The recording wizard: the steps a documenter goes through (steps.py), their
forms and views, and the services that save each step of a draft."""
