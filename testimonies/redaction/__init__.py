"""What the text may say to those who may not know who spoke: names, contacts
and birth years replaced (redactor.py, quasi_identifiers.py), words a person
must decide (marks.py, marking.py), the re-identification check before
release, and the generalised public view (generalisation.py)."""
