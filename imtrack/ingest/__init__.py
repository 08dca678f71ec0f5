"""Documents -> measures: reading text files, parsing, importing."""
