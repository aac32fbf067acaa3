"""File handling shared by every concern: checked uploads, staged uploads, private storage,
spreadsheet export and tabular import."""
