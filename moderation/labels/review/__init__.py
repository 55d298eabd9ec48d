"""Reviewing: the queue of an export's comments in review order (``queue``), the terminal answer
loop (``loop``), the spreadsheet round trip (``spreadsheet``) and the queue several moderators
share from the browser, with its leases (``shared``). Every answer goes into the label store."""
