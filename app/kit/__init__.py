"""Pure libraries: no database, no request, nothing from the rest of the app but each other.

Run-chart and SPC rules, observation text parsing, collation, text cleaning, spreadsheet cells,
small-number and disclosure rules."""
