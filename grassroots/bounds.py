"""The largest integers a form or the API accepts, so each fits the column it is stored in.

A number past its column is an error on the form, never a database error: SQLite raises
OverflowError past 64 bits and PostgreSQL refuses anything past 2,147,483,647 in an integer
column, and either was a 500 (issue 20, item 9). tests/security/test_form_bounds.py finds every
form and API input and holds each integer field to these.
"""

# PostgreSQL `integer`: Django's IntegerField and PositiveIntegerField.
MAX_INT32 = 2**31 - 1
# PostgreSQL `bigint` and SQLite's INTEGER: ids (BigAutoField) and BigIntegerField.
MAX_ID = 2**63 - 1
# Votes counted by hand at a meeting or a committee: more than the movement has members.
MAX_VOTES = 1_000_000
