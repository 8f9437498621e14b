# Dates and numbers on the archive's Arabic pages.
#
# Digits: Western (0-9), not Arabic-Indic (٠-٩). Syrian print often uses
# Arabic-Indic digits, but the archive's pseudonyms (W-7K3Q...), public ids,
# the dates typed into its date fields and its search API, and the figures
# copied from it into spreadsheets and court filings are all written with
# Western digits, as most Syrian news and government sites write them in
# Arabic text. One digit system per page leaves no room for transcription
# mistakes. Django never substitutes digits, so the choice holds wherever a
# date or a number is formatted; tests/archive/test_localisation.py checks it.
#
# With Western digits the thousands separator is the comma (Django's "ar"
# uses the dot, read as a decimal point next to Western digits). The month
# names are the Syrian ones (كانون الثاني، شباط، آذار...), which the
# witnesses and their testimonies use: our catalogue gives them for Django's
# month messages (archive/formats/month_names.py).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
